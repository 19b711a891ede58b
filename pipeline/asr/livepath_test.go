package asr_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"parley/gpu"
	"parley/internal/stats"
	"parley/pipeline/asr"
)

// recordingRunner passes runs through and keeps the last inputs, so that a
// benchmark can replay exactly what parley's front end fed the model.
type recordingRunner struct {
	gpu.Runner
	inputs  []gpu.Tensor
	outputs []string
}

// Run implements gpu.Runner.
func (r *recordingRunner) Run(ctx context.Context, inputs []gpu.Tensor, outputNames []string) ([]gpu.Tensor, error) {
	r.inputs, r.outputs = inputs, outputNames
	return r.Runner.Run(ctx, inputs, outputNames)
}

// BenchmarkLiveFinalDecode measures the live turn's final decode of 8.07 s
// of speech on a SenseVoice-small-sized model (PARLEY_SIZED_MODEL, see
// BenchmarkSenseVoiceSizedRTF): parley's whole path (stream Accept, then
// Finish: fbank, LFR, CMVN, the ONNX Runtime run and greedy CTC decoding)
// against a raw run of the same session on the same features, alternating
// in the same benchmark, at 1 intra-op thread and at the machine's cores
// (the live default, onnx.intra_op_threads = 0). It reports both median
// times and parley's overhead over the raw run, which should stay under
// 15 %.
func BenchmarkLiveFinalDecode(b *testing.B) {
	dir := sizedModelDir(b)
	speech := liveSpeech()
	for _, threads := range []int{1, runtime.NumCPU()} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			rec, engine := liveEngine(b, dir, threads)
			liveDecode(b, engine, speech) // warm-up, and the inputs to replay
			var whole, raw []float64
			for b.Loop() {
				t0 := time.Now()
				liveDecode(b, engine, speech)
				t1 := time.Now()
				if _, err := rec.Runner.Run(context.Background(), rec.inputs, rec.outputs); err != nil {
					b.Fatal(err)
				}
				whole, raw = append(whole, t1.Sub(t0).Seconds()*1000), append(raw, time.Since(t1).Seconds()*1000)
			}
			// Medians: on a shared machine a run now and then takes twice as
			// long, and a mean would charge that to one side.
			w, r := stats.Quantile(whole, 0.5), stats.Quantile(raw, 0.5)
			b.ReportMetric(w, "ms-parley")
			b.ReportMetric(r, "ms-raw-ort")
			b.ReportMetric(100*(w/r-1), "%-overhead")
		})
	}
}

// liveSpeech returns 8.07 s of tone "speech" (the model's weights are
// generated, so only the length matters to its cost).
func liveSpeech() []float32 {
	var out []float32
	for i := 0; len(out) < 129120; i++ {
		out = append(out, toneAudio([]int{i % 8, (i + 3) % 8, (i + 5) % 8}, uint64(i))...)
	}
	return out[:129120]
}

// liveEngine loads the model once with threads intra-op threads and wraps
// it in a recordingRunner that SenseVoice runs through.
func liveEngine(b *testing.B, dir string, threads int) (*recordingRunner, *asr.SenseVoice) {
	b.Helper()
	files, err := asr.FindModel(dir)
	if err != nil {
		b.Fatal(err)
	}
	m, err := newRuntime(b).NewModel(context.Background(), gpu.ModelSpec{Name: "asr", Path: files.Model(false), Device: "cpu", IntraOpThreads: threads, InterOpThreads: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = m.Close() })
	rec := &recordingRunner{Runner: m}
	s, err := asr.NewSenseVoice(context.Background(), asr.SenseVoiceOptions{ModelOptions: asr.ModelOptions{Dir: dir, Runner: rec}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return rec, s
}

// liveDecode runs the live path on speech: a stream fed in 32 ms frames, then
// only Finish, as the listener does at the end of a turn; only Finish is
// on the user's wait, so only Finish is in the stream's share here.
func liveDecode(b *testing.B, e asr.Engine, speech []float32) {
	b.Helper()
	ctx := context.Background()
	st, err := e.NewStream(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	for i := 0; i < len(speech); i += 512 {
		if err := st.Accept(ctx, speech[i:min(i+512, len(speech))]); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := st.Finish(ctx); err != nil {
		b.Fatal(err)
	}
}
