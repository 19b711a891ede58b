package audio

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/gpu"
	"parley/internal/testenv"
)

// newRealSilero loads the real Silero VAD v5 model on the CPU.
func newRealSilero(t testing.TB) *SileroVAD {
	t.Helper()
	lib, path := testenv.ORTLibrary(t), testenv.SileroModel(t)
	ctx := context.Background()
	rt, err := gpu.NewRuntime(ctx, gpu.RuntimeOptions{LibraryPath: lib, IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	m, err := rt.NewModel(ctx, gpu.ModelSpec{Name: "vad", Path: path, Device: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	v, err := NewSileroVAD(m)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// probsOf scores every whole frame of x.
func probsOf(t *testing.T, v VAD, x []float32) ([]float32, time.Duration) {
	t.Helper()
	var probs []float32
	start := time.Now()
	for i := 0; i+FrameSize <= len(x); i += FrameSize {
		p, err := v.Prob(context.Background(), x[i:i+FrameSize])
		if err != nil {
			t.Fatal(err)
		}
		probs = append(probs, p)
	}
	return probs, time.Since(start) / time.Duration(max(1, len(probs)))
}

// TestSileroRealSpeech runs the real model over pocketsphinx's goforward.raw
// ("go forward ten meters") framed by a second of silence on each side.
func TestSileroRealSpeech(t *testing.T) {
	v := newRealSilero(t)
	speech := testenv.RawSpeech(t, "goforward.raw")
	x := append(append(make([]float32, SampleRate), speech...), make([]float32, SampleRate)...)
	probs, per := probsOf(t, v, x)
	t.Logf("%d frames, %v per frame", len(probs), per)
	lead := SampleRate / FrameSize
	var hi float32
	for i, p := range probs {
		if (i < lead-1 || i > len(probs)-lead+1) && p > 0.2 {
			t.Errorf("silent frame %d scored %.2f", i, p)
		}
		hi = max(hi, p)
	}
	if hi < 0.9 {
		t.Errorf("speech peaked at %.2f, want > 0.9", hi)
	}
	evs := runSegmenterOn(t, probs, x)
	if got := kinds(evs); len(got) != 3 || got[2] != "end:silence" {
		t.Fatalf("segmenter events %v, want one utterance", got)
	}
	end := evs[len(evs)-1]
	t.Logf("utterance %.2f s (speech %v) of a %.2f s recording", float64(len(end.Utterance))/SampleRate, end.Speech, float64(len(speech))/SampleRate)
	if d := time.Duration(len(end.Utterance)) * time.Second / SampleRate; d < 1500*time.Millisecond {
		t.Errorf("utterance only %v long", d)
	}
}

func runSegmenterOn(t *testing.T, probs, x []float32) []Event {
	t.Helper()
	s, err := NewSegmenter(DefaultSegmenterOptions())
	if err != nil {
		t.Fatal(err)
	}
	var evs []Event
	for i, p := range probs {
		evs = append(evs, s.Push(p, x[i*FrameSize:(i+1)*FrameSize])...)
	}
	return append(evs, s.Flush()...)
}

func BenchmarkSileroCPU(b *testing.B) {
	v := newRealSilero(b)
	frame := sine(300, SampleRate, FrameSize, 0.3)
	for b.Loop() {
		if _, err := v.Prob(context.Background(), frame); err != nil {
			b.Fatal(err)
		}
	}
}

// recordProbs makes TestRecordSileroProbs rewrite its testdata.
var recordProbs = flag.Bool("record-probs", false, "rewrite testdata/probs_*.txt with the real Silero model")

// TestRecordSileroProbs regenerates testdata/probs_*.txt, the real model's
// per-frame probabilities that the segmenter tests replay:
// go test ./audio -run RecordSileroProbs -record-probs.
func TestRecordSileroProbs(t *testing.T) {
	if !*recordProbs {
		return
	}
	v := newRealSilero(t)
	pad := make([]float32, SampleRate)
	speech := testenv.RawSpeech(t, "goforward.raw")
	writeProbs(t, v, "probs_goforward.txt", pad, speech, pad)
	first, second := fliteSpeech(t, "hello there"), fliteSpeech(t, "how are you doing today")
	writeProbs(t, v, "probs_two_utterances.txt", pad, first, make([]float32, SampleRate*8/10), second, pad)
}

func fliteSpeech(t *testing.T, text string) []float32 {
	t.Helper()
	samples, err := ReadMono16k(fliteWAV(t, text))
	if err != nil {
		t.Fatal(err)
	}
	return samples
}

func writeProbs(t *testing.T, v VAD, name string, parts ...[]float32) {
	t.Helper()
	var x []float32
	for _, p := range parts {
		x = append(x, p...)
	}
	v.Reset()
	probs, _ := probsOf(t, v, x)
	var b strings.Builder
	fmt.Fprintf(&b, "# Silero VAD v5 probabilities per 512-sample frame at 16 kHz (TestRecordSileroProbs)\n")
	for _, p := range probs {
		fmt.Fprintf(&b, "%.4f\n", p)
	}
	if err := os.WriteFile(filepath.Join("testdata", name), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
