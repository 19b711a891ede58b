package gpu

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/internal/testenv"
)

// fakeRig is a manager over fake GPUs: FakeGPU sessions (real CPU sessions)
// whose builds add 600 MiB of this process's memory to FakeNVML GPU 0.
type fakeRig struct {
	mgr  *Manager
	nvml *FakeNVML
	gpu  *FakeGPU
}

const fakePID = 4242

func newFakeRig(t *testing.T, opts Options, devices map[string]string) fakeRig {
	t.Helper()
	rt := testRuntime(t)
	nv := NewFakeNVML()
	fake := &FakeGPU{Base: rt}
	fake.OnBuild = func(s SessionSpec) { nv.AddProcessMiB(s.Device.Index, fakePID, 600) }
	fake.OnClose = func(s SessionSpec) { nv.AddProcessMiB(s.Device.Index, fakePID, -600) }
	mon := NewMonitor(MonitorOptions{NVML: nv, PID: fakePID})
	var specs []ModelSpec
	for _, name := range []string{"vad", "asr", "tts"} {
		specs = append(specs, ModelSpec{Name: name, Path: testenv.SileroModel(t), Device: devices[name], Weight: map[string]float64{"asr": 2}[name], Warmup: sileroFrame(0)})
	}
	mgr, err := NewManager(context.Background(), ManagerDeps{Runtime: rt, Monitor: mon, Factory: fake}, opts, specs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mgr.Close() })
	return fakeRig{mgr: mgr, nvml: nv, gpu: fake}
}

func stateOf(t *testing.T, m *Manager, name string) ModelState {
	t.Helper()
	model, err := m.Model(name)
	if err != nil {
		t.Fatal(err)
	}
	return model.State()
}

func onGPU() Options {
	return Options{Enabled: true, MemoryFraction: 0.5, MinFreeMiB: 512, FallbackToCPU: true, Interleave: true}
}

func TestManagerBudgetAndMeasure(t *testing.T) {
	rig := newFakeRig(t, onGPU(), map[string]string{"vad": "cpu", "asr": "cuda:0", "tts": "cuda:0"})
	states := rig.mgr.States()
	if len(states) != 3 || states[0].Model != "vad" || states[0].Active != "cpu" {
		t.Fatalf("states = %+v", states)
	}
	for _, name := range []string{"asr", "tts"} {
		if st := stateOf(t, rig.mgr, name); st.Active != "cuda:0" || st.MemoryMiB != 600 {
			t.Errorf("%s = %+v, want cuda:0 with 600 MiB measured", name, st)
		}
	}
	asr, _ := rig.mgr.Model("asr")
	// 0.5 x 81559 MiB split 2:1:1 between asr, tts and vad.
	if got, want := asr.Spec().CUDA.MemLimitBytes>>20, int64(0.5*81559*2/4*(1<<20))>>20; got != want {
		t.Errorf("asr gpu_mem_limit = %d MiB, want %d", got, want)
	}
	out, err := asr.Run(context.Background(), sileroFrame(1), sileroOutputs())
	if err != nil || len(out) != 2 {
		t.Fatalf("run through the scheduler: %v", err)
	}
}

func TestManagerPressureAndRefusal(t *testing.T) {
	rig := newFakeRig(t, onGPU(), map[string]string{"vad": "cuda:0", "asr": "cuda:0", "tts": "cuda:0"})
	ctx := context.Background()
	mon := rig.mgr.deps.Monitor
	for _, want := range []string{"tts", "asr", "vad", ""} {
		// Each relief frees the model's 600 MiB; squeeze again.
		rig.nvml.Update(0, func(d *FakeDevice) { d.UsedMiB = d.TotalMiB - 300 })
		moved, err := rig.mgr.Relieve(ctx, mon.Sample(ctx))
		if err != nil || moved != want {
			t.Fatalf("Relieve moved %q (%v), want %q", moved, err, want)
		}
		if want == "" {
			break
		}
		st := stateOf(t, rig.mgr, want)
		if st.Active != "cpu" || st.Requested != "cuda:0" || !strings.Contains(st.FallbackReason, "memory pressure") {
			t.Errorf("%s after relief = %+v", want, st)
		}
	}
	// tts needs its measured 600 MiB + 512 MiB min free; 1000 MiB are free.
	rig.nvml.Update(0, func(d *FakeDevice) { d.UsedMiB = d.TotalMiB - 1000 })
	err := rig.mgr.Switch(ctx, "tts", "cuda:0")
	if !errors.Is(err, ErrInsufficientMemory) {
		t.Fatalf("switch under pressure: %v", err)
	}
	for _, w := range []string{"tts", "600 MiB (measured)", "1112 MiB", "1000 MiB are free"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("refusal %q does not say %q", err, w)
		}
	}
	rig.nvml.Update(0, func(d *FakeDevice) { d.UsedMiB = 2000 })
	if err := rig.mgr.Toggle(ctx, "tts"); err != nil || stateOf(t, rig.mgr, "tts").Active != "cuda:0" {
		t.Fatalf("toggle back: %v %+v", err, stateOf(t, rig.mgr, "tts"))
	}
	if err := rig.mgr.Toggle(ctx, "tts"); err != nil || stateOf(t, rig.mgr, "tts").Active != "cpu" {
		t.Fatalf("toggle to cpu: %v", err)
	}
}

func TestManagerInitialRefusalAndDisabled(t *testing.T) {
	opts := onGPU()
	opts.MinFreeMiB = 1 << 20 // more than any GPU has
	rig := newFakeRig(t, opts, map[string]string{"vad": "cpu", "asr": "cuda:0", "tts": "cpu"})
	st := stateOf(t, rig.mgr, "asr")
	if st.Active != "cpu" || st.Requested != "cuda:0" || !strings.Contains(st.FallbackReason, "refused") {
		t.Errorf("asr = %+v", st)
	}
	opts.Enabled = false
	rig = newFakeRig(t, opts, map[string]string{"vad": "cpu", "asr": "cuda:0", "tts": "cpu"})
	if st := stateOf(t, rig.mgr, "asr"); st.Active != "cpu" || !strings.Contains(st.FallbackReason, "gpu.enabled = false") {
		t.Errorf("disabled: asr = %+v", st)
	}
	err := rig.mgr.Toggle(context.Background(), "asr")
	if !errors.Is(err, ErrNoGPU) || !strings.Contains(err.Error(), "gpu.enabled = false") {
		t.Errorf("toggle with gpu off: %v", err)
	}
	if err := rig.mgr.Switch(context.Background(), "llm", "cpu"); !errors.Is(err, ErrUnknownModel) || !strings.Contains(err.Error(), `"llm"`) {
		t.Errorf("unknown model: %v", err)
	}
}

// TestManagerNoGPU uses the real runtime and the real NVML: here there is
// neither a driver nor a CUDA provider, and Toggle must say so.
func TestManagerNoGPU(t *testing.T) {
	rt := testRuntime(t)
	mon := NewMonitor(MonitorOptions{})
	defer mon.Close()
	ctx := context.Background()
	specs := []ModelSpec{{Name: "vad", Path: testenv.SileroModel(t), Device: "cpu"}}
	mgr, err := NewManager(ctx, ManagerDeps{Runtime: rt, Monitor: mon}, onGPU(), specs)
	if err != nil {
		t.Fatal(err)
	}
	defer mgr.Close()
	reason := mgr.GPUUnavailable()
	if reason == "" {
		t.Skip("this machine has a GPU")
	}
	err = mgr.Toggle(ctx, "vad")
	if !errors.Is(err, ErrNoGPU) || !strings.Contains(err.Error(), "no GPU: "+reason) {
		t.Fatalf("toggle: %v", err)
	}
	t.Logf("toggle without a GPU: %v", err)
	// With a GPU that NVML sees but an ORT without CUDA, the provider's reason shows.
	mgr.deps.Monitor = NewMonitor(MonitorOptions{NVML: NewFakeNVML()})
	if !rt.CUDAStatus().Available && !strings.Contains(mgr.GPUUnavailable(), "Failed to load shared library") {
		t.Errorf("GPUUnavailable = %q", mgr.GPUUnavailable())
	}
}

func TestManagerWatch(t *testing.T) {
	rig := newFakeRig(t, onGPU(), map[string]string{"vad": "cpu", "asr": "cuda:0", "tts": "cuda:0"})
	rig.nvml.Update(0, func(d *FakeDevice) { d.UsedMiB = d.TotalMiB - 100 })
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan Snapshot)
	done := make(chan error)
	go func() { done <- rig.mgr.Watch(ctx, time.Millisecond, out) }()
	snap := <-out
	if len(snap.GPUs) != 2 {
		t.Fatalf("snapshot = %+v", snap)
	}
	<-out // the second tick sees the relief of the first
	if st := stateOf(t, rig.mgr, "tts"); st.Active != "cpu" || !strings.Contains(st.FallbackReason, "memory pressure") {
		t.Errorf("tts = %+v", st)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Watch returned %v", err)
	}
}

// TestManagerNeedCountsExternalData checks that a model whose weights sit
// in external data files (a large Whisper's .weights) is estimated from
// the graph and those files together.
func TestManagerNeedCountsExternalData(t *testing.T) {
	dir := t.TempDir()
	graph, weights := filepath.Join(dir, "m-encoder.onnx"), filepath.Join(dir, "m-encoder.weights")
	if err := os.WriteFile(graph, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(weights, make([]byte, 3<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	m := &Manager{opts: Options{SizeFactor: 1}, needs: map[string]float64{}}
	need := m.need(ModelSpec{Name: "asr", Path: graph, ExternalData: []string{weights}})
	if need.Measured || need.FileMiB != 4 || need.MiB != 4 {
		t.Errorf("need = %+v, want 4 MiB from 1 MiB graph + 3 MiB weights", need)
	}
}
