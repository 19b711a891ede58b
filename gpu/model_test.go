package gpu

import (
	"context"
	"errors"
	"math/rand"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"parley/internal/testenv"
)

// countingFactory wraps a factory and counts sessions still open.
type countingFactory struct {
	base SessionFactory
	open atomic.Int64
}

func (f *countingFactory) NewSession(ctx context.Context, spec SessionSpec) (Session, error) {
	s, err := f.base.NewSession(ctx, spec)
	if err != nil {
		return nil, err
	}
	f.open.Add(1)
	return &countedSession{Session: s, f: f}, nil
}

type countedSession struct {
	Session
	f *countingFactory
}

func (s *countedSession) Close() error {
	s.f.open.Add(-1)
	return s.Session.Close()
}

// reference returns CPU-only outputs for frames 0..n-1.
func reference(t testing.TB, rt *Runtime, n int) [][]Tensor {
	t.Helper()
	s, err := rt.NewSession(context.Background(), SessionSpec{Path: testenv.SileroModel(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ref := make([][]Tensor, n)
	for i := range ref {
		if ref[i], err = s.Run(context.Background(), sileroFrame(i), sileroOutputs()); err != nil {
			t.Fatal(err)
		}
	}
	return ref
}

func TestCUDAFallbackRealORT(t *testing.T) {
	rt := testRuntime(t)
	if rt.CUDAStatus().Available {
		t.Skip("this ONNX Runtime has a working CUDA provider; the fallback path is tested with FakeGPU")
	}
	ctx := context.Background()
	path := testenv.SileroModel(t)
	ref := reference(t, rt, 1)
	start := time.Now()
	m, err := rt.NewModel(ctx, ModelSpec{Name: "vad", Path: path, Device: "cuda:0", FallbackToCPU: true})
	if err != nil {
		t.Fatalf("with fallback: %v", err)
	}
	defer m.Close()
	t.Logf("model built with fallback in %v", time.Since(start))
	st := m.State()
	if st.Requested != "cuda:0" || st.Active != "cpu" || !strings.Contains(st.FallbackReason, "Failed to load shared library") {
		t.Fatalf("state = %+v", st)
	}
	out, err := m.Run(ctx, sileroFrame(0), sileroOutputs())
	if err != nil || !sameOutputs(out, ref[0]) {
		t.Fatalf("run after fallback: %v (same as cpu: %v)", err, err == nil && sameOutputs(out, ref[0]))
	}
	start = time.Now()
	if err := m.Switch(ctx, "cuda:0"); err != nil {
		t.Fatalf("retry gpu: %v", err)
	}
	t.Logf("retrying the GPU and falling back took %v (LastSwitch %v)", time.Since(start), m.State().LastSwitch)
	if st := m.State(); st.Active != "cpu" || st.FallbackReason == "" {
		t.Errorf("after retry: %+v", st)
	}

	_, err = rt.NewModel(ctx, ModelSpec{Name: "vad", Path: path, Device: "cuda:0"})
	if !errors.Is(err, ErrCUDAUnavailable) {
		t.Fatalf("without fallback: err = %v, want ErrCUDAUnavailable", err)
	}
	for _, w := range []string{"vad", "cuda:0", path, "Failed to load shared library"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

func TestSwitchUnderLoad(t *testing.T) {
	rt := testRuntime(t)
	ctx := context.Background()
	const frames = 48
	ref := reference(t, rt, frames)
	counted := &countingFactory{base: rt}
	fake := &FakeGPU{Base: counted}
	m, err := NewModel(ctx, ModelSpec{Name: "vad", Path: testenv.SileroModel(t), Device: "cpu", Factory: fake, Warmup: sileroFrame(0)})
	if err != nil {
		t.Fatal(err)
	}
	// Workers pace themselves a little (VAD really runs 31 frames a second)
	// so that on a 2-core machine the switcher's session builds get CPU too.
	const workers, minRuns, switches = 3, 340, 100
	answered := make([][]int32, workers)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		answered[w] = make([]int32, 0, 1024)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < minRuns || !stop.Load(); j++ {
				k := (w*7919 + j) % frames
				out, err := m.Run(ctx, sileroFrame(k), sileroOutputs())
				if err != nil {
					t.Errorf("worker %d run %d: %v", w, j, err)
					return
				}
				if !sameOutputs(out, ref[k]) {
					t.Errorf("worker %d run %d: outputs differ from the cpu reference", w, j)
				}
				answered[w] = append(answered[w], int32(j))
				time.Sleep(time.Millisecond)
			}
		}()
	}
	rng := rand.New(rand.NewSource(1))
	var took []time.Duration
	for range switches {
		dev := []string{"cpu", "cuda:0"}[rng.Intn(2)]
		if err := m.Switch(ctx, dev); err != nil {
			t.Fatalf("switch to %s: %v", dev, err)
		}
		if st := m.State(); st.Active != dev || st.Requested != dev || st.Switching {
			t.Fatalf("after switch to %s: %+v", dev, st)
		}
		took = append(took, m.State().LastSwitch)
	}
	stop.Store(true)
	wg.Wait()
	total := 0
	for w, a := range answered {
		for j, v := range a {
			if int(v) != j {
				t.Fatalf("worker %d: answer %d is run %d", w, j, v)
			}
		}
		total += len(a)
	}
	if total < 1000 {
		t.Errorf("only %d runs", total)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if n := counted.open.Load(); n != 0 {
		t.Errorf("%d sessions left open", n)
	}
	t.Logf("%d runs, %d on the fake GPU, across %d switches; switch p50 %v", total, fake.GPURuns(), switches, percentile(took, 50))
}

func TestRunFailureFallsBack(t *testing.T) {
	rt := testRuntime(t)
	ctx := context.Background()
	ref := reference(t, rt, 10)
	fake := &FakeGPU{Base: rt}
	m, err := NewModel(ctx, ModelSpec{Name: "asr", Path: testenv.SileroModel(t), Device: "cuda:0", Factory: fake, FallbackToCPU: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	const oom = "CUDA failure 2: out of memory"
	fake.FailRun(5, oom)
	for i := range 10 {
		out, err := m.Run(ctx, sileroFrame(i), sileroOutputs())
		if err != nil || !sameOutputs(out, ref[i]) {
			t.Fatalf("run %d: %v", i, err)
		}
		if want := map[bool]string{true: "cuda:0", false: "cpu"}[i < 4]; m.State().Active != want {
			t.Fatalf("after run %d active = %s, want %s", i, m.State().Active, want)
		}
	}
	if st := m.State(); st.Requested != "cuda:0" || st.FallbackReason != oom || st.MemoryMiB != 0 {
		t.Fatalf("state = %+v", st)
	}
	if err := m.Switch(ctx, "cuda:0"); err != nil {
		t.Fatal(err)
	}
	if st := m.State(); st.Active != "cuda:0" || st.FallbackReason != "" {
		t.Fatalf("after retry: %+v", st)
	}
}

func TestRunFailureWithoutFallback(t *testing.T) {
	rt := testRuntime(t)
	fake := &FakeGPU{Base: rt}
	ctx := context.Background()
	m, err := NewModel(ctx, ModelSpec{Name: "tts", Path: testenv.SileroModel(t), Device: "cuda:1", Factory: fake})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	fake.FailRun(1, "driver error")
	_, err = m.Run(ctx, sileroFrame(0), sileroOutputs())
	if !errors.Is(err, ErrGPURun) || !strings.Contains(err.Error(), "tts") || !strings.Contains(err.Error(), "cuda:1") || !strings.Contains(err.Error(), "driver error") {
		t.Fatalf("err = %v", err)
	}
	if st := m.State(); st.Active != "cuda:1" || st.FallbackReason != "" {
		t.Errorf("state = %+v", st)
	}
}

func TestBuildFailure(t *testing.T) {
	rt := testRuntime(t)
	ctx := context.Background()
	path := testenv.SileroModel(t)
	for _, fallback := range []bool{true, false} {
		fake := &FakeGPU{Base: rt}
		m, err := NewModel(ctx, ModelSpec{Name: "asr", Path: path, Device: "cpu", Factory: fake, FallbackToCPU: fallback})
		if err != nil {
			t.Fatal(err)
		}
		fake.FailBuilds("out of memory")
		err = m.Switch(ctx, "cuda:0")
		st := m.State()
		switch {
		case fallback && (err != nil || st.Active != "cpu" || st.Requested != "cuda:0" || st.FallbackReason != "out of memory"):
			t.Errorf("fallback: err %v, state %+v", err, st)
		case !fallback && (!errors.Is(err, ErrCUDAUnavailable) || st.Requested != "cpu" || st.Active != "cpu"):
			t.Errorf("no fallback: err %v, state %+v", err, st)
		}
		fake.FailBuilds("")
		if err := m.Switch(ctx, "cuda:0"); err != nil || m.State().Active != "cuda:0" || m.State().FallbackReason != "" {
			t.Errorf("retry: %v, %+v", err, m.State())
		}
		_ = m.Close()
	}
}

// blockingFactory builds sessions whose runs wait for release.
type blockingFactory struct {
	release chan struct{}
	started chan struct{}
	mu      sync.Mutex
	closed  []Device
}

func (f *blockingFactory) NewSession(_ context.Context, spec SessionSpec) (Session, error) {
	return &blockingSession{f: f, dev: spec.Device}, nil
}

type blockingSession struct {
	f   *blockingFactory
	dev Device
}

func (s *blockingSession) Run(context.Context, []Tensor, []string) ([]Tensor, error) {
	s.f.started <- struct{}{}
	<-s.f.release
	return []Tensor{{Name: "y", Shape: []int64{1}, Data: []float32{1}}}, nil
}
func (s *blockingSession) Info() ModelInfo { return ModelInfo{} }
func (s *blockingSession) Device() Device  { return s.dev }
func (s *blockingSession) Close() error {
	s.f.mu.Lock()
	s.f.closed = append(s.f.closed, s.dev)
	s.f.mu.Unlock()
	return nil
}

func TestSwitchReleasesOldSessionAfterRuns(t *testing.T) {
	ctx := context.Background()
	f := &blockingFactory{release: make(chan struct{}), started: make(chan struct{}, 4)}
	m, err := NewModel(ctx, ModelSpec{Name: "asr", Device: "cpu", Factory: f, Warmup: []Tensor{}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		_, err := m.Run(ctx, nil, nil)
		done <- err
	}()
	<-f.started
	if err := m.Switch(ctx, "cuda:0"); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	early := len(f.closed)
	f.mu.Unlock()
	if early != 0 {
		t.Fatalf("old session closed while a run was in flight")
	}
	close(f.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.closed) != 1 || f.closed[0].CUDA {
		t.Fatalf("closed = %v, want the cpu session", f.closed)
	}
}

func TestClosedModel(t *testing.T) {
	f := &blockingFactory{release: make(chan struct{}), started: make(chan struct{}, 1)}
	m, err := NewModel(context.Background(), ModelSpec{Name: "vad", Device: "cpu", Factory: f})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Run(context.Background(), nil, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("run: %v", err)
	}
	if err := m.Switch(context.Background(), "cuda:0"); !errors.Is(err, ErrClosed) {
		t.Errorf("switch: %v", err)
	}
}

// percentile returns the p-th percentile of ds.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s[(len(s)-1)*p/100]
}

// gateFactory delays GPU builds until gate is closed.
type gateFactory struct {
	base     SessionFactory
	building chan struct{}
	gate     chan struct{}
}

func (f *gateFactory) NewSession(ctx context.Context, spec SessionSpec) (Session, error) {
	if spec.Device.CUDA {
		f.building <- struct{}{}
		<-f.gate
	}
	return (&FakeGPU{Base: f.base}).NewSession(ctx, spec)
}

func TestRunsContinueWhileSwitching(t *testing.T) {
	rt := testRuntime(t)
	ctx := context.Background()
	f := &gateFactory{base: rt, building: make(chan struct{}), gate: make(chan struct{})}
	m, err := NewModel(ctx, ModelSpec{Name: "asr", Path: testenv.SileroModel(t), Device: "cpu", Factory: f})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	done := make(chan error)
	go func() { done <- m.Switch(ctx, "cuda:0") }()
	<-f.building
	if st := m.State(); !st.Switching || st.Active != "cpu" {
		t.Fatalf("during the build: %+v", st)
	}
	for i := range 5 {
		if _, err := m.Run(ctx, sileroFrame(i), sileroOutputs()); err != nil {
			t.Fatalf("run during switch: %v", err)
		}
	}
	close(f.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if st := m.State(); st.Switching || st.Active != "cuda:0" || st.LastSwitch <= 0 {
		t.Fatalf("after: %+v", st)
	}
}
