package gpu

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// Options are the [gpu] settings; package config parses and validates them.
type Options struct {
	// Enabled allows models on a GPU at all (gpu.enabled).
	Enabled bool
	// Device is where Toggle moves a CPU model (gpu.device); "" means "cuda:0".
	Device string
	// MemoryFraction is the share of each GPU's memory parley may use
	// (gpu.memory_fraction); it becomes the models' gpu_mem_limit.
	MemoryFraction float64
	// Interleave routes GPU runs through the priority Scheduler (gpu.interleave).
	Interleave bool
	// FallbackToCPU retries failed GPU work on the CPU (gpu.fallback_to_cpu).
	FallbackToCPU bool
	// MinFreeMiB must stay free on a GPU (gpu.min_free_mib).
	MinFreeMiB int
	// SizeFactor estimates an unmeasured model's need from its file size; 0 means 1.5.
	SizeFactor float64
	// ConvAlgoSearch is cudnn_conv_algo_search: "DEFAULT" or "HEURISTIC".
	ConvAlgoSearch string
	// CheckPlacement profiles each new CUDA session once to report nodes
	// that do not run on the GPU (costs a second session build).
	CheckPlacement bool
}

// ManagerDeps are the Manager's collaborators.
type ManagerDeps struct {
	// Runtime is the ONNX Runtime; its CUDA probe explains a missing GPU.
	Runtime *Runtime
	// Monitor reads GPU memory; nil means no NVML.
	Monitor *Monitor
	// Factory builds sessions; nil means Runtime.
	Factory SessionFactory
}

// Manager holds parley's models (vad, asr, tts), applies the memory budget
// and pressure relief, and moves models between devices for the UI.
type Manager struct {
	opts   Options
	deps   ManagerDeps
	models []*Model
	moveMu sync.Mutex // one GPU move at a time, so memory deltas are the mover's
	mu     sync.Mutex
	needs  map[string]float64 // measured MiB per model
}

// NewManager builds every model on its configured device. A model whose
// GPU is off, refused by the budget or failing (with fallback) starts on
// the CPU, and its state says why. A model that does not load at all fails
// it with a *ModelError naming the model.
func NewManager(ctx context.Context, deps ManagerDeps, opts Options, specs []ModelSpec) (*Manager, error) {
	if deps.Factory == nil && deps.Runtime != nil {
		deps.Factory = deps.Runtime
	}
	if deps.Factory == nil {
		return nil, fmt.Errorf("gpu manager: %w: no runtime or session factory", ErrBadOption)
	}
	if opts.Device == "" {
		opts.Device = "cuda:0"
	}
	m := &Manager{opts: opts, deps: deps, needs: map[string]float64{}}
	specs = m.prepare(ctx, specs)
	for _, spec := range specs {
		if err := m.add(ctx, spec); err != nil {
			_ = m.Close()
			return nil, &ModelError{Model: spec.Name, Err: err}
		}
	}
	return m, nil
}

// prepare fills in what the options decide: fallback, conv algo search,
// scheduler and each model's share of the memory budget.
func (m *Manager) prepare(ctx context.Context, specs []ModelSpec) []ModelSpec {
	var sched *Scheduler
	if m.opts.Interleave {
		sched = NewScheduler()
	}
	out := append([]ModelSpec(nil), specs...)
	limits := m.memLimits(ctx, out)
	for i := range out {
		s := &out[i]
		s.FallbackToCPU = s.FallbackToCPU || m.opts.FallbackToCPU
		s.CheckPlacement = s.CheckPlacement || m.opts.CheckPlacement
		s.Scheduler = sched
		if s.CUDA.ConvAlgoSearch == "" {
			s.CUDA.ConvAlgoSearch = m.opts.ConvAlgoSearch
		}
		if s.CUDA.MemLimitBytes == 0 {
			s.CUDA.MemLimitBytes = limits[s.Name]
		}
		if s.Factory == nil {
			s.Factory = m.deps.Factory
		}
	}
	return out
}

// memLimits is MemLimits over the toggle GPU's total memory (none when NVML
// cannot say, leaving ORT uncapped).
func (m *Manager) memLimits(ctx context.Context, specs []ModelSpec) map[string]int64 {
	dev, err := ParseDevice(m.opts.Device)
	if err != nil || m.deps.Monitor == nil || m.opts.MemoryFraction <= 0 {
		return nil
	}
	mem, err := m.deps.Monitor.Memory(ctx, dev.Index)
	if err != nil {
		return nil
	}
	weights := make(map[string]float64, len(specs))
	for _, s := range specs {
		weights[s.Name] = s.Weight
	}
	return MemLimits(mem.TotalMiB, m.opts.MemoryFraction, weights)
}

// add builds one model: on the CPU when its GPU is not allowed (with the
// reason in its state), else on its device through the budget check.
func (m *Manager) add(ctx context.Context, spec ModelSpec) error {
	dev, err := ParseDevice(spec.Device)
	if err != nil {
		return fmt.Errorf("model %s: %w", spec.Name, err)
	}
	reason := ""
	if dev.CUDA {
		reason = m.refusal(ctx, spec, dev)
	}
	if reason != "" {
		spec.Device = "cpu"
	}
	model, err := m.measured(ctx, spec.Name, dev, func() (*Model, error) { return NewModel(ctx, spec) })
	if err != nil {
		return err
	}
	if reason != "" {
		model.markRequested(dev, reason)
	}
	m.models = append(m.models, model)
	return nil
}

// refusal returns why model may not load on dev now ("" if it may).
func (m *Manager) refusal(ctx context.Context, spec ModelSpec, dev Device) string {
	if !m.opts.Enabled {
		return "GPU use is off (gpu.enabled = false)"
	}
	if err := m.admit(ctx, spec, dev); err != nil {
		return err.Error()
	}
	return ""
}

// admit applies the budget: NVML free memory must cover the model's need
// plus gpu.min_free_mib. Without NVML there is nothing to check against,
// and the CUDA attempt itself decides.
func (m *Manager) admit(ctx context.Context, spec ModelSpec, dev Device) error {
	if m.deps.Monitor == nil || m.deps.Monitor.Err() != nil {
		return nil
	}
	mem, err := m.deps.Monitor.Memory(ctx, dev.Index)
	if err != nil {
		return fmt.Errorf("move %s to %s: %w", spec.Name, dev, err)
	}
	return Admit(spec.Name, dev, m.need(spec), mem.FreeMiB, float64(m.opts.MinFreeMiB))
}

// need is the model's measured need, else its file-size estimate: the
// graph and its external data files.
func (m *Manager) need(spec ModelSpec) Need {
	m.mu.Lock()
	measured := m.needs[spec.Name]
	m.mu.Unlock()
	size := int64(0)
	for _, path := range append([]string{spec.Path}, spec.ExternalData...) {
		if st, err := os.Stat(path); err == nil {
			size += st.Size()
		}
	}
	return EstimateNeed(measured, size, m.opts.SizeFactor)
}

// measured runs a load or move onto dev and, when the model ends up there,
// records this process's GPU memory growth as the model's need and usage.
func (m *Manager) measured(ctx context.Context, name string, dev Device, load func() (*Model, error)) (*Model, error) {
	m.moveMu.Lock()
	defer m.moveMu.Unlock()
	before := m.processMiB(ctx, dev)
	model, err := load()
	if err != nil || !dev.CUDA || model.State().Active != dev.String() {
		return model, err
	}
	after := m.processMiB(ctx, dev)
	if before < 0 || after < 0 {
		return model, nil
	}
	m.recordNeed(name, after-before)
	model.setMemory(after - before)
	if after <= before {
		model.notePlacement("NVML shows no new GPU memory for this session: it may not run on " + dev.String())
	}
	return model, nil
}

// processMiB is this process's memory on dev, or -1 when unknown.
func (m *Manager) processMiB(ctx context.Context, dev Device) float64 {
	if !dev.CUDA || m.deps.Monitor == nil || m.deps.Monitor.Err() != nil {
		return -1
	}
	mem, err := m.deps.Monitor.Memory(ctx, dev.Index)
	if err != nil {
		return -1
	}
	return mem.ProcessMiB
}

// recordNeed keeps the largest positive measurement of a model's need.
func (m *Manager) recordNeed(name string, mib float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if mib > m.needs[name] {
		m.needs[name] = mib
	}
}

// Model returns the named model (engines use it as their Runner).
func (m *Manager) Model(name string) (*Model, error) {
	for _, model := range m.models {
		if model.Name() == name {
			return model, nil
		}
	}
	known := make([]string, len(m.models))
	for i, model := range m.models {
		known[i] = model.Name()
	}
	return nil, fmt.Errorf("%w %q (have: %s)", ErrUnknownModel, name, strings.Join(known, ", "))
}

// States returns every model's state, in the order the models were given.
func (m *Manager) States() []ModelState {
	out := make([]ModelState, len(m.models))
	for i, model := range m.models {
		out[i] = model.State()
	}
	return out
}

// Switch moves the named model to device. A move onto a GPU must pass the
// budget (refused with the numbers otherwise); its memory is measured.
func (m *Manager) Switch(ctx context.Context, name, device string) error {
	model, err := m.Model(name)
	if err != nil {
		return fmt.Errorf("switch: %w", err)
	}
	dev, err := ParseDevice(device)
	if err != nil {
		return fmt.Errorf("switch %s: %w", name, err)
	}
	if dev.CUDA && !m.opts.Enabled {
		return fmt.Errorf("switch %s to %s: %w: GPU use is off (gpu.enabled = false)", name, dev, ErrNoGPU)
	}
	if model.State().Active == dev.String() {
		return model.Switch(ctx, device)
	}
	if dev.CUDA {
		if err := m.admit(ctx, model.Spec(), dev); err != nil {
			return err
		}
	}
	_, err = m.measured(ctx, name, dev, func() (*Model, error) { return model, model.Switch(ctx, device) })
	return err
}

// Toggle moves a model between the CPU and its GPU (its configured CUDA
// device, else gpu.device). When there is no GPU to go to, the error says
// why, e.g. "no GPU: NVML library not found (no NVIDIA driver)".
func (m *Manager) Toggle(ctx context.Context, name string) error {
	model, err := m.Model(name)
	if err != nil {
		return fmt.Errorf("toggle: %w", err)
	}
	if strings.HasPrefix(model.State().Active, "cuda") {
		return m.Switch(ctx, name, "cpu")
	}
	if reason := m.GPUUnavailable(); reason != "" {
		return fmt.Errorf("toggle %s: %w: %s", name, ErrNoGPU, reason)
	}
	return m.Switch(ctx, name, m.gpuFor(model))
}

// gpuFor is the GPU a model toggles to.
func (m *Manager) gpuFor(model *Model) string {
	if dev, err := ParseDevice(model.Spec().Device); err == nil && dev.CUDA {
		return dev.String()
	}
	return m.opts.Device
}

// GPUUnavailable says why models cannot move to a GPU ("" when they can):
// GPU use off, NVML missing, or ONNX Runtime without a CUDA provider.
func (m *Manager) GPUUnavailable() string {
	if !m.opts.Enabled {
		return "GPU use is off (gpu.enabled = false)"
	}
	if m.deps.Monitor == nil {
		return "no GPU monitor (NVML not opened)"
	}
	if err := m.deps.Monitor.Err(); err != nil {
		return err.Error()
	}
	if rt, ok := m.deps.Factory.(*Runtime); ok && !rt.CUDAStatus().Available {
		return "CUDA provider unavailable: " + rt.CUDAStatus().Reason
	}
	return ""
}

// Relieve applies memory pressure: if a GPU in snap has less than
// gpu.min_free_mib free, its lowest-priority model moves to the CPU, its
// state saying why. It returns the model moved ("" if none).
func (m *Manager) Relieve(ctx context.Context, snap Snapshot) (string, error) {
	relief, ok := Pressure(snap, m.residents(), float64(m.opts.MinFreeMiB))
	if !ok {
		return "", nil
	}
	model, err := m.Model(relief.Model)
	if err != nil {
		return "", err
	}
	return relief.Model, model.moveToCPU(ctx, relief.Reason)
}

// residents lists the models with their priority and active device.
func (m *Manager) residents() []Resident {
	out := make([]Resident, 0, len(m.models))
	for _, model := range m.models {
		dev, _ := ParseDevice(model.State().Active)
		out = append(out, Resident{Name: model.Name(), Priority: model.Spec().Priority, Active: dev})
	}
	return out
}

// Watch samples the GPUs every interval, relieves memory pressure, and
// sends each snapshot on out until ctx ends; it returns ctx's error. The
// next sample is taken only after the previous one was sent, so polls never
// overlap. A relief that fails leaves the model where it is; the next tick
// tries again.
func (m *Manager) Watch(ctx context.Context, every time.Duration, out chan<- Snapshot) error {
	if m.deps.Monitor == nil {
		return fmt.Errorf("watch gpus: %w: no monitor", ErrNoGPU)
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		snap := m.deps.Monitor.Sample(ctx)
		_, _ = m.Relieve(ctx, snap)
		select {
		case out <- snap:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Close closes every model.
func (m *Manager) Close() error {
	var errs []error
	for _, model := range m.models {
		errs = append(errs, model.Close())
	}
	return errors.Join(errs...)
}
