package gpu

import (
	"context"
	"testing"

	"parley/internal/testenv"
)

// BenchmarkSwitch measures one cpu -> "gpu" -> cpu round trip (the fake GPU
// is a CPU session, so this is build + warm-up + swap, twice).
func BenchmarkSwitch(b *testing.B) {
	rt := testRuntime(b)
	ctx := context.Background()
	m, err := NewModel(ctx, ModelSpec{Name: "vad", Path: testenv.SileroModel(b), Device: "cpu", Factory: &FakeGPU{Base: rt}, Warmup: sileroFrame(0)})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	b.ResetTimer()
	for b.Loop() {
		if err := m.Switch(ctx, "cuda:0"); err != nil {
			b.Fatal(err)
		}
		if err := m.Switch(ctx, "cpu"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSileroRun measures one Silero VAD v5 frame through a Model on the CPU.
func BenchmarkSileroRun(b *testing.B) {
	rt := testRuntime(b)
	ctx := context.Background()
	m, err := rt.NewModel(ctx, ModelSpec{Name: "vad", Path: testenv.SileroModel(b), Device: "cpu"})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	in := sileroFrame(5)
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.Run(ctx, in, sileroOutputs()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSchedulerAcquire measures the scheduler's cost per run when the
// GPU is free (the common case).
func BenchmarkSchedulerAcquire(b *testing.B) {
	s := NewScheduler()
	ctx := context.Background()
	for b.Loop() {
		release, err := s.Acquire(ctx, 0, 2)
		if err != nil {
			b.Fatal(err)
		}
		release()
	}
}

// BenchmarkSchedulerContended measures the cost per run when goroutines of
// two priorities compete for one GPU.
func BenchmarkSchedulerContended(b *testing.B) {
	s := NewScheduler()
	ctx := context.Background()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		prio := 1
		for pb.Next() {
			release, err := s.Acquire(ctx, 0, prio)
			if err != nil {
				b.Error(err)
				return
			}
			release()
			prio = 3 - prio
		}
	})
}

// BenchmarkFallbackRun measures a run that fails on the (fake) GPU and is
// answered on the CPU: CPU session build + warm-up + the rerun.
func BenchmarkFallbackRun(b *testing.B) {
	rt := testRuntime(b)
	ctx := context.Background()
	fake := &FakeGPU{Base: rt}
	m, err := NewModel(ctx, ModelSpec{Name: "asr", Path: testenv.SileroModel(b), Device: "cuda:0", Factory: fake, FallbackToCPU: true, Warmup: sileroFrame(0)})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	in := sileroFrame(2)
	for b.Loop() {
		b.StopTimer()
		if err := m.Switch(ctx, "cuda:0"); err != nil {
			b.Fatal(err)
		}
		fake.FailRun(1, "CUDA failure 2: out of memory")
		b.StartTimer()
		if _, err := m.Run(ctx, in, sileroOutputs()); err != nil {
			b.Fatal(err)
		}
	}
	if m.State().Active != "cpu" {
		b.Fatalf("state = %+v", m.State())
	}
}

// BenchmarkCUDAAppendFallback measures a switch to cuda:0 on an ONNX
// Runtime without the CUDA provider: the append fails and the CPU session
// stays (the real fallback path on this machine).
func BenchmarkCUDAAppendFallback(b *testing.B) {
	rt := testRuntime(b)
	if rt.CUDAStatus().Available {
		b.Skip("CUDA provider loads here")
	}
	ctx := context.Background()
	m, err := rt.NewModel(ctx, ModelSpec{Name: "vad", Path: testenv.SileroModel(b), Device: "cpu", FallbackToCPU: true})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	for b.Loop() {
		if err := m.Switch(ctx, "cuda:0"); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := m.Switch(ctx, "cpu"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
