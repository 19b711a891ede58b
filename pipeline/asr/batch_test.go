package asr_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"parley/pipeline/asr"
)

// batchSegments are tone utterances of different lengths, one too short
// for a frame and one empty, with each model's expected texts.
func batchSegments() (segs [][]float32, sv, pf []string) {
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range 9 {
		seq := make([]int, 1+rng.IntN(6))
		for j := range seq {
			seq[j] = rng.IntN(8)
		}
		segs = append(segs, toneAudio(seq, uint64(i)))
		sv, pf = append(sv, svText(seq)), append(pf, pfText(seq))
	}
	segs = append(segs, make([]float32, 200), nil)
	sv, pf = append(sv, "", ""), append(pf, "", "")
	return segs, sv, pf
}

// TestBatchMatchesSingle: every batch size and worker count gives the
// texts of one-by-one recognition, in input order (run it with -race).
func TestBatchMatchesSingle(t *testing.T) {
	segs, sv, pf := batchSegments()
	engines := []struct {
		name string
		rec  asr.Engine
		want []string
	}{
		{"sensevoice", newSenseVoice(t, filepath.Join(testModels, "sensevoice"), asr.SenseVoiceOptions{}), sv},
		{"sensevoice-funasr", newSenseVoice(t, filepath.Join(testModels, "sensevoice-funasr"), asr.SenseVoiceOptions{}), sv},
		{"paraformer", newParaformer(t, filepath.Join(testModels, "paraformer")), pf},
		{"paraformer-sherpa", newParaformer(t, filepath.Join(testModels, "paraformer-sherpa")), pf},
	}
	for _, e := range engines {
		for _, o := range []asr.BatchOptions{{BatchSize: 1, Parallel: 1}, {BatchSize: 4, Parallel: 1}, {BatchSize: 1, Parallel: 3}, {BatchSize: 4, Parallel: 3}, {BatchSize: 16}} {
			t.Run(fmt.Sprintf("%s/batch%d/parallel%d", e.name, o.BatchSize, o.Parallel), func(t *testing.T) {
				got, err := asr.Transcribe(context.Background(), e.rec, segs, o)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, e.want) {
					t.Errorf("texts\n got %q\nwant %q", got, e.want)
				}
			})
		}
	}
}

// fakeRecognizer echoes segment lengths and fails on a chosen length.
type fakeRecognizer struct {
	asr.Engine // only RecognizeBatch is called
	failLen    int
	runs       atomic.Int32
	maxSize    atomic.Int32
}

// RecognizeBatch implements asr.BatchRecognizer.
func (f *fakeRecognizer) RecognizeBatch(ctx context.Context, segs [][]float32) ([]string, error) {
	f.runs.Add(1)
	for {
		old := f.maxSize.Load()
		if int32(len(segs)) <= old || f.maxSize.CompareAndSwap(old, int32(len(segs))) {
			break
		}
	}
	out := make([]string, len(segs))
	for i, s := range segs {
		if len(s) == f.failLen {
			return nil, errors.New("boom")
		}
		out[i] = fmt.Sprint(len(s))
	}
	return out, ctx.Err()
}

func TestBatchOrderAndSize(t *testing.T) {
	lengths := []int{50, 10, 40, 20, 30, 60, 5}
	segs := make([][]float32, len(lengths))
	want := make([]string, len(lengths))
	for i, n := range lengths {
		segs[i], want[i] = make([]float32, n), fmt.Sprint(n)
	}
	f := &fakeRecognizer{failLen: -1}
	got, err := asr.Transcribe(context.Background(), f, segs, asr.BatchOptions{BatchSize: 3, Parallel: 2})
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("got %q, %v; want %q", got, err, want)
	}
	if f.runs.Load() != 3 || f.maxSize.Load() != 3 {
		t.Errorf("runs %d, largest batch %d; want 3 and 3", f.runs.Load(), f.maxSize.Load())
	}
}

func TestBatchErrors(t *testing.T) {
	segs := [][]float32{make([]float32, 1), make([]float32, 2), make([]float32, 3)}
	_, err := asr.Transcribe(context.Background(), &fakeRecognizer{failLen: 2}, segs, asr.BatchOptions{Parallel: 3})
	if err == nil || err.Error() != "transcribe segments [1]: boom" {
		t.Errorf("error %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = asr.Transcribe(ctx, &fakeRecognizer{failLen: -1}, segs, asr.BatchOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	got, err := asr.Transcribe(context.Background(), &fakeRecognizer{failLen: -1}, nil, asr.BatchOptions{})
	if err != nil || len(got) != 0 {
		t.Errorf("no segments: %q, %v", got, err)
	}
}

// fakeStreams is an engine that does not batch: each stream's transcript
// is the number of samples it accepted.
type fakeStreams struct {
	asr.Engine // only NewStream and Name are called
	opened     atomic.Int32
}

func (f *fakeStreams) Name() string { return "fake" }

func (f *fakeStreams) NewStream(context.Context) (asr.Stream, error) {
	f.opened.Add(1)
	return &fakeStream{}, nil
}

type fakeStream struct {
	asr.Stream
	n int
}

func (s *fakeStream) Accept(_ context.Context, p []float32) error { s.n += len(p); return nil }
func (s *fakeStream) Finish(context.Context) (asr.Result, error) {
	return asr.Result{Text: fmt.Sprint(s.n)}, nil
}
func (s *fakeStream) Close() error { return nil }

// TestTranscribeStreamsAndReportsProgress: an engine that does not batch
// gets one stream per segment whatever BatchSize says, and progress counts
// samples up to the total.
func TestTranscribeStreamsAndReportsProgress(t *testing.T) {
	lengths := []int{50, 10, 40}
	segs := make([][]float32, len(lengths))
	for i, n := range lengths {
		segs[i] = make([]float32, n)
	}
	var reports [][2]int64
	f := &fakeStreams{}
	got, err := asr.Transcribe(context.Background(), f, segs, asr.BatchOptions{BatchSize: 3, Parallel: 2,
		Progress: func(done, total int64) { reports = append(reports, [2]int64{done, total}) }})
	if err != nil || !slices.Equal(got, []string{"50", "10", "40"}) {
		t.Fatalf("got %q, %v", got, err)
	}
	if f.opened.Load() != 3 || len(reports) != 3 || reports[2] != [2]int64{100, 100} {
		t.Errorf("streams %d, progress %v", f.opened.Load(), reports)
	}
	for i := 1; i < len(reports); i++ {
		if reports[i][0] <= reports[i-1][0] {
			t.Errorf("progress went back: %v", reports)
		}
	}
}

// TestBatchLongRecordingSplit splits a long tone recording and transcribes
// the chunks in parallel batches: the texts, in order, spell the recording
// (compared without spaces, which depend on where the cuts fall).
func TestBatchLongRecordingSplit(t *testing.T) {
	seq := []int{0, 3, 4, 5, 6, 7, 0, 3, 2, 4, 5, 6, 7, 0, 3, 5} // no "wor@@": a cut after it would split "world"
	audio := toneAudio(seq, 9)                                   // 6.64 s
	chunks := asr.SplitLong(audio, 2)
	if len(chunks) < 4 {
		t.Fatalf("%d chunks", len(chunks))
	}
	p := newParaformer(t, filepath.Join(testModels, "paraformer"))
	texts, err := asr.Transcribe(context.Background(), p, chunks, asr.BatchOptions{BatchSize: 2, Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, k := range seq {
		all = append(all, pfPieces[k])
	}
	t.Logf("chunk texts %q", texts)
	unspaced := func(s string) string { return strings.ReplaceAll(s, " ", "") }
	if got, want := unspaced(strings.Join(texts, "")), unspaced(asr.JoinTokens(all)); got != want {
		t.Errorf("joined chunks %q, want %q", got, want)
	}
}

// BenchmarkSenseVoiceSizedRTF measures the real-time factor of a
// SenseVoice-small-sized model (scripts/models/export_asr_models.py --sized
// DIR; PARLEY_SIZED_MODEL names DIR or its model.onnx) on the CPU, over 8
// segments of about 5 s, at batch sizes 1 and 4 with 1 and 3 parallel runs.
// PARLEY_BENCH_THREADS sets ONNX Runtime's threads per run (default: ORT's).
func BenchmarkSenseVoiceSizedRTF(b *testing.B) {
	path := sizedModelDir(b)
	threads, _ := strconv.Atoi(os.Getenv("PARLEY_BENCH_THREADS"))
	opts := asr.SenseVoiceOptions{ModelOptions: asr.ModelOptions{Dir: path, Loader: newRuntime(b), IntraOpThreads: threads}}
	s, err := asr.NewSenseVoice(context.Background(), opts)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	segs, seconds := benchSegments()
	if _, err := s.RecognizeBatch(context.Background(), segs[:1]); err != nil { // warm-up
		b.Fatal(err)
	}
	for _, o := range []asr.BatchOptions{{BatchSize: 1, Parallel: 1}, {BatchSize: 4, Parallel: 1}, {BatchSize: 1, Parallel: 3}, {BatchSize: 4, Parallel: 3}} {
		b.Run(fmt.Sprintf("batch%d/parallel%d", o.BatchSize, o.Parallel), func(b *testing.B) {
			for b.Loop() {
				if _, err := asr.Transcribe(context.Background(), s, segs, o); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/(seconds*float64(b.N)), "RTF")
		})
	}
}

// sizedModelDir is the directory of the SenseVoice-small-sized model that
// PARLEY_SIZED_MODEL names (the directory or its model.onnx); the benchmark
// is skipped when it is not set.
func sizedModelDir(b *testing.B) string {
	b.Helper()
	dir := os.Getenv("PARLEY_SIZED_MODEL")
	if dir == "" {
		b.Skip("PARLEY_SIZED_MODEL not set (see scripts/models/export_asr_models.py --sized)")
	}
	if filepath.Ext(dir) == ".onnx" {
		dir = filepath.Dir(dir)
	}
	return dir
}

// benchSegments returns 8 tone segments of 4.5-5.5 s and their total length.
func benchSegments() ([][]float32, float64) {
	var segs [][]float32
	total := 0.0
	for i := range 8 {
		seq := make([]int, 10+i%3)
		for j := range seq {
			seq[j] = (i + j) % 8
		}
		segs = append(segs, toneAudio(seq, uint64(i)))
		total += float64(len(segs[i])) / 16000
	}
	return segs, total
}
