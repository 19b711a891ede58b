package bench

import (
	"context"
	"math"
	"testing"
	"time"

	"parley/gpu"
	"parley/internal/testenv"
)

// fakeGPULoader builds models whose "cuda" sessions are CPU sessions
// (gpu.FakeGPU), so the GPU code path runs on a machine without one.
type fakeGPULoader struct{ rt *gpu.Runtime }

func (l fakeGPULoader) NewModel(ctx context.Context, spec gpu.ModelSpec) (*gpu.Model, error) {
	spec.Factory = &gpu.FakeGPU{Base: l.rt}
	return l.rt.NewModel(ctx, spec)
}

// newFakeGPULoader starts ONNX Runtime on one thread for a fakeGPULoader.
func newFakeGPULoader(t *testing.T) fakeGPULoader {
	t.Helper()
	rt, err := gpu.NewRuntime(context.Background(), gpu.RuntimeOptions{LibraryPath: testenv.ORTLibrary(t), IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	return fakeGPULoader{rt}
}

// runPasses runs plan and checks that it passes with rows rows and two
// checks, each row measured and each fake GPU row sped up.
func runPasses(t *testing.T, plan Plan, rows int) *Report {
	t.Helper()
	rep, err := Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != rows || len(rep.Checks) != 2 || rep.Verdict != Pass {
		t.Fatalf("verdict %s, rows %+v, checks %+v", rep.Verdict, rep.Rows, rep.Checks)
	}
	for _, r := range rep.Rows {
		if !r.OK() || r.RTF <= 0 || (r.Device == "cuda:0" && r.Speedup <= 0) {
			t.Errorf("row %+v", r)
		}
	}
	return rep
}

// TestRealTargetsOnFakeGPU runs Silero and the SenseVoice test model on the
// CPU and on a fake GPU (the same CPU session behind a CUDA label): the
// outputs must be identical, with logits and probabilities recorded.
func TestRealTargetsOnFakeGPU(t *testing.T) {
	l, silero := newFakeGPULoader(t), testenv.SileroModel(t)
	const sv = "../pipeline/asr/testdata/asr/sensevoice"
	speech := sine(3 * SampleRate)
	utts := []Input{{ID: "a", Samples: speech[:SampleRate]}, {ID: "b", Samples: speech}}
	plan := Plan{
		Targets: []Target{SileroTarget(l, silero, "cpu"), SileroTarget(l, silero, "cuda:0"),
			ONNXASRTarget(l, sv, "cpu", []int{1, 2}, nil), ONNXASRTarget(l, sv, "cuda:0", []int{1, 2}, nil)},
		Workloads: map[Kind][]Workload{KindVAD: {Chunks("1s", speech, 1)}, KindASR: {Chunks("1s", speech, 1)}},
		Verify:    map[Kind][]Input{KindVAD: utts, KindASR: utts},
		Options:   Options{Duration: 2 * time.Second, Repetitions: 1},
	}
	for _, c := range runPasses(t, plan, 6).Checks {
		if c.Items != 2 || c.MaxAbsDiff != 0 {
			t.Errorf("check %+v (want 2 items, values recorded and equal)", c)
		}
	}
}

// sine is a 440 Hz tone, loud enough for the VAD to score.
func sine(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 0.3 * float32(math.Sin(float64(i)*2*math.Pi*440/SampleRate))
	}
	return v
}
