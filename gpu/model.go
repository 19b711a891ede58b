package gpu

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ModelSpec describes one managed model.
type ModelSpec struct {
	// Name is the model's role, e.g. "vad", "asr", "tts".
	Name string
	// Path is the .onnx file.
	Path string
	// ExternalData are files beside Path that hold the graph's weights
	// (ONNX external data, e.g. a large Whisper's .weights); the memory
	// estimate counts them with Path.
	ExternalData []string
	// Device is where it should run: "cpu" or "cuda:N".
	Device string
	// Priority orders models: a higher one keeps the GPU under memory
	// pressure and runs first when interleaved. 0 means DefaultPriority(Name).
	Priority int
	// Weight is the model's share of the GPU memory budget (Manager); 0 means 1.
	Weight float64
	// CUDA configures the CUDA provider (gpu_mem_limit, conv algo search).
	CUDA CUDAOptions
	// FallbackToCPU retries CUDA failures (append, build, run) on the CPU.
	FallbackToCPU bool
	// IntraOpThreads and InterOpThreads override the runtime's for this model.
	IntraOpThreads, InterOpThreads int
	// Warmup are inputs run once on every new session before it serves
	// runs; nil uses a copy of the first real run's inputs.
	Warmup []Tensor
	// CheckPlacement profiles one warm-up run of every new CUDA session
	// and reports in State().Placement any node not on the CUDA provider.
	// It costs a second session build, so it is off by default.
	CheckPlacement bool
	// Factory builds sessions; nil means the Runtime (Runtime.NewModel).
	Factory SessionFactory
	// Scheduler interleaves GPU runs of different models; nil runs them freely.
	Scheduler *Scheduler
}

// DefaultPriority is the priority of a role: vad 3, asr 2, tts 1, others 0.
// Under memory pressure TTS leaves the GPU before ASR, ASR before VAD.
func DefaultPriority(name string) int {
	switch name {
	case "vad":
		return 3
	case "asr":
		return 2
	case "tts":
		return 1
	}
	return 0
}

// Model is a managed model: a Runner whose session can move between the
// CPU and a GPU while runs go on, and that falls back to the CPU.
//
// Concurrency: runs take the current session under mu and hold a reference
// to it, so a switch never waits for runs and a run never sees a half-built
// session. switchMu serialises switches and fallbacks, which build the new
// session without holding mu, then swap it in under mu between two runs; the
// old session is closed by whoever drops its last reference.
type Model struct {
	spec     ModelSpec
	switchMu sync.Mutex
	mu       sync.Mutex
	cur      *liveSession
	state    ModelState
	warm     []Tensor
	closed   bool
}

// liveSession is a session plus the runs using it. refs and retired are
// guarded by the owning Model's mu.
type liveSession struct {
	s         Session
	placement string
	refs      int
	retired   bool
	done      chan struct{} // closed once s is closed
	closeErr  error
}

// NewModel builds the model's first session on spec.Device (falling back to
// the CPU if allowed) using spec.Factory, which must be set.
func NewModel(ctx context.Context, spec ModelSpec) (*Model, error) {
	if spec.Factory == nil {
		return nil, fmt.Errorf("model %s: %w: no session factory", spec.Name, ErrBadOption)
	}
	dev, err := ParseDevice(spec.Device)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", spec.Name, err)
	}
	if spec.Priority == 0 {
		spec.Priority = DefaultPriority(spec.Name)
	}
	m := &Model{spec: spec, warm: cloneTensors(spec.Warmup)}
	m.state = ModelState{Model: spec.Name, Requested: dev.String(), MemoryMiB: -1}
	ls, reason, err := m.open(ctx, dev, nil)
	if err != nil {
		return nil, err
	}
	m.cur = ls
	m.state.Active, m.state.FallbackReason, m.state.Placement = ls.s.Device().String(), reason, ls.placement
	m.state.MemoryMiB = memoryAfterMove(ls.s.Device(), false, -1)
	return m, nil
}

// NewModel builds a managed model whose sessions come from this runtime
// (unless spec.Factory says otherwise).
func (r *Runtime) NewModel(ctx context.Context, spec ModelSpec) (*Model, error) {
	if spec.Factory == nil {
		spec.Factory = r
	}
	return NewModel(ctx, spec)
}

// Name returns the model's role name.
func (m *Model) Name() string { return m.spec.Name }

// Spec returns the spec the model was built from (with defaults filled in).
func (m *Model) Spec() ModelSpec { return m.spec }

// State returns the model's device state.
func (m *Model) State() ModelState {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state
}

// Info implements Runner.
func (m *Model) Info() ModelInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cur == nil {
		return ModelInfo{}
	}
	return m.cur.s.Info()
}

// Run implements Runner. A DeviceError on the GPU, with FallbackToCPU set,
// reruns the same inputs on a CPU session, which then serves later runs.
func (m *Model) Run(ctx context.Context, inputs []Tensor, outputNames []string) ([]Tensor, error) {
	ls, err := m.acquire(inputs)
	if err != nil {
		return nil, err
	}
	out, err := m.runOn(ctx, ls, inputs, outputNames)
	m.release(ls)
	if err == nil {
		return out, nil
	}
	var de *DeviceError
	if !m.spec.FallbackToCPU || !errors.As(err, &de) {
		return nil, m.runError(ls, err)
	}
	return m.fallback(ctx, ls, de.Reason, inputs, outputNames)
}

// runError wraps err with the model name and the device it ran on.
func (m *Model) runError(ls *liveSession, err error) error {
	return fmt.Errorf("model %s on %s: %w", m.spec.Name, ls.s.Device(), err)
}

// runOn runs on ls, through the scheduler when ls is on a GPU.
func (m *Model) runOn(ctx context.Context, ls *liveSession, inputs []Tensor, outputNames []string) ([]Tensor, error) {
	dev := ls.s.Device()
	if m.spec.Scheduler == nil || !dev.CUDA {
		return ls.s.Run(ctx, inputs, outputNames)
	}
	release, err := m.spec.Scheduler.Acquire(ctx, dev.Index, m.spec.Priority)
	if err != nil {
		return nil, err
	}
	defer release()
	return ls.s.Run(ctx, inputs, outputNames)
}

// acquire returns the current session with a reference taken, and keeps a
// copy of the first inputs for warming later sessions.
func (m *Model) acquire(inputs []Tensor) (*liveSession, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, fmt.Errorf("model %s: %w", m.spec.Name, ErrClosed)
	}
	if m.warm == nil {
		m.warm = cloneTensors(inputs)
	}
	m.cur.refs++
	return m.cur, nil
}

// release drops a reference; the last one closes a retired session.
func (m *Model) release(ls *liveSession) {
	m.mu.Lock()
	ls.refs--
	last := ls.retired && ls.refs == 0
	m.mu.Unlock()
	if last {
		ls.close()
	}
}

// retireLocked marks ls for closing once its runs end; m.mu must be held.
// It reports whether the caller must close ls now (no runs hold it).
func retireLocked(ls *liveSession) bool {
	ls.retired = true
	return ls.refs == 0
}

// close closes the session once.
func (ls *liveSession) close() {
	ls.closeErr = ls.s.Close()
	close(ls.done)
}

// newLive wraps a freshly built session.
func newLive(s Session) *liveSession {
	return &liveSession{s: s, done: make(chan struct{})}
}

// Close waits for a switch in progress, retires the session, waits for the
// runs still using it, and closes it. Later runs return ErrClosed.
func (m *Model) Close() error {
	m.switchMu.Lock()
	defer m.switchMu.Unlock()
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	ls := m.cur
	now := retireLocked(ls)
	m.mu.Unlock()
	if now {
		ls.close()
	}
	<-ls.done
	if ls.closeErr != nil {
		return fmt.Errorf("model %s: %w", m.spec.Name, ls.closeErr)
	}
	return nil
}

// cloneTensors deep-copies tensors (nil for none).
func cloneTensors(in []Tensor) []Tensor {
	if len(in) == 0 {
		return nil
	}
	out := make([]Tensor, len(in))
	for i, t := range in {
		out[i] = Tensor{Name: t.Name, Shape: append([]int64(nil), t.Shape...), Data: cloneData(t.Data)}
	}
	return out
}

// cloneData copies a tensor's data slice.
func cloneData(d any) any {
	switch v := d.(type) {
	case []float32:
		return append([]float32(nil), v...)
	case []int64:
		return append([]int64(nil), v...)
	case []int32:
		return append([]int32(nil), v...)
	}
	return d
}
