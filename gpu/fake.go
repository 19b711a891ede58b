package gpu

import (
	"context"
	"fmt"
	"sync"
)

// FakeGPU is a SessionFactory for tests and GPU-less demos. A session it
// builds for a CUDA device is really built by Base on the CPU but reports
// the CUDA device, so everything above it (switching, fallback, scheduling,
// budget) behaves as on a GPU. Builds and runs can be made to fail like a
// GPU that is missing or out of memory. CPU sessions come from Base as they are.
type FakeGPU struct {
	// Base builds the real sessions (usually the Runtime).
	Base SessionFactory
	// OnBuild, if set, is called after each fake GPU session is built
	// (e.g. to raise FakeNVML's process memory).
	OnBuild func(SessionSpec)
	// OnClose, if set, is called after each fake GPU session is closed.
	OnClose func(SessionSpec)

	mu        sync.Mutex
	buildFail string
	runFailAt int64
	runFail   string
	runs      int64
	builds    int
}

// FailBuilds makes every later GPU build fail with reason ("" stops it).
func (f *FakeGPU) FailBuilds(reason string) {
	f.mu.Lock()
	f.buildFail = reason
	f.mu.Unlock()
}

// FailRun makes the n-th GPU run from now (n >= 1, counted across all of
// this factory's GPU sessions) fail with reason.
func (f *FakeGPU) FailRun(n int64, reason string) {
	f.mu.Lock()
	f.runFailAt, f.runFail = f.runs+n, reason
	f.mu.Unlock()
}

// GPURuns returns how many runs the fake GPU sessions have started.
func (f *FakeGPU) GPURuns() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.runs
}

// GPUBuilds returns how many fake GPU sessions were built.
func (f *FakeGPU) GPUBuilds() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.builds
}

// NewSession implements SessionFactory.
func (f *FakeGPU) NewSession(ctx context.Context, spec SessionSpec) (Session, error) {
	if !spec.Device.CUDA {
		return f.Base.NewSession(ctx, spec)
	}
	if reason := f.buildFailure(); reason != "" {
		return nil, &DeviceError{Op: "load", Path: spec.Path, Device: spec.Device, Reason: reason, Err: ErrCUDAUnavailable}
	}
	cpuSpec := spec
	cpuSpec.Device = Device{}
	s, err := f.Base.NewSession(ctx, cpuSpec)
	if err != nil {
		return nil, fmt.Errorf("fake %s: %w", spec.Device, err)
	}
	if f.OnBuild != nil {
		f.OnBuild(spec)
	}
	return &fakeGPUSession{Session: s, f: f, spec: spec}, nil
}

// buildFailure counts a build and returns the injected failure, if any.
func (f *FakeGPU) buildFailure() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.buildFail == "" {
		f.builds++
	}
	return f.buildFail
}

// nextRun counts a run and returns the injected failure for it, if any.
func (f *FakeGPU) nextRun() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.runs++
	if f.runs == f.runFailAt {
		return f.runFail
	}
	return ""
}

// fakeGPUSession is a CPU session that says it is on a GPU.
type fakeGPUSession struct {
	Session
	f    *FakeGPU
	spec SessionSpec
}

// Device implements Session: the fake GPU.
func (s *fakeGPUSession) Device() Device { return s.spec.Device }

// Run implements Runner, failing when FailRun says so.
func (s *fakeGPUSession) Run(ctx context.Context, inputs []Tensor, outputNames []string) ([]Tensor, error) {
	if reason := s.f.nextRun(); reason != "" {
		return nil, &DeviceError{Op: "run", Path: s.spec.Path, Device: s.spec.Device, Reason: reason, Err: ErrGPURun}
	}
	return s.Session.Run(ctx, inputs, outputNames)
}

// Close implements Session.
func (s *fakeGPUSession) Close() error {
	err := s.Session.Close()
	if s.f.OnClose != nil {
		s.f.OnClose(s.spec)
	}
	return err
}

// FakeDevice is one FakeNVML GPU. A nil gauge makes its getter fail, as
// NVML does for values a GPU does not support; the monitor shows N/A.
type FakeDevice struct {
	// Name is the product name.
	Name string
	// UsedMiB and TotalMiB are device memory; free is their difference.
	UsedMiB, TotalMiB float64
	// UtilPercent, TempC, PowerW and PowerLimitW are the gauges.
	UtilPercent, TempC, PowerW, PowerLimitW *float64
	// Processes maps a PID to its memory in MiB.
	Processes map[int]float64
}

// FakeNVML is an NVML for tests: two GPUs by default (NewFakeNVML), values
// set at will, and a count of calls made after a failed Init, which the
// real library would answer by killing the process.
type FakeNVML struct {
	mu         sync.Mutex
	initErr    error
	inited     bool
	devices    []FakeDevice
	violations int
}

// NewFakeNVML returns two GPUs: 0 is an H100 with every value, 1 an L4
// whose power draw and limit are not reported.
func NewFakeNVML() *FakeNVML {
	f := func(v float64) *float64 { return &v }
	return &FakeNVML{devices: []FakeDevice{
		{Name: "NVIDIA H100 80GB HBM3", UsedMiB: 1024, TotalMiB: 81559, UtilPercent: f(35), TempC: f(48), PowerW: f(120.5), PowerLimitW: f(700), Processes: map[int]float64{}},
		{Name: "NVIDIA L4", UsedMiB: 512, TotalMiB: 23034, UtilPercent: f(0), TempC: f(41), Processes: map[int]float64{}},
	}}
}

// FailInit makes Init fail with err (e.g. an *NVMLInitError).
func (f *FakeNVML) FailInit(err error) {
	f.mu.Lock()
	f.initErr = err
	f.mu.Unlock()
}

// Update changes GPU index under the fake's lock.
func (f *FakeNVML) Update(index int, change func(*FakeDevice)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if index >= 0 && index < len(f.devices) {
		change(&f.devices[index])
	}
}

// AddProcessMiB adds delta MiB to pid's memory (and the used memory) on GPU index.
func (f *FakeNVML) AddProcessMiB(index, pid int, delta float64) {
	f.Update(index, func(d *FakeDevice) {
		d.Processes[pid] += delta
		d.UsedMiB += delta
	})
}

// Violations counts calls made without a successful Init.
func (f *FakeNVML) Violations() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.violations
}

// Init implements NVML.
func (f *FakeNVML) Init() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inited = f.initErr == nil
	return f.initErr
}

// Shutdown implements NVML.
func (f *FakeNVML) Shutdown() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gateLocked()
	f.inited = false
	return nil
}

// gateLocked counts a call made without a successful Init.
func (f *FakeNVML) gateLocked() bool {
	if !f.inited {
		f.violations++
	}
	return f.inited
}

// DeviceCount implements NVML.
func (f *FakeNVML) DeviceCount() (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.gateLocked() {
		return 0, ErrNVMLUnavailable
	}
	return len(f.devices), nil
}

// Device implements NVML.
func (f *FakeNVML) Device(index int) (NVMLDevice, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.gateLocked() || index < 0 || index >= len(f.devices) {
		return nil, fmt.Errorf("fake nvml: gpu %d: %w", index, ErrNVMLUnavailable)
	}
	return fakeNVMLDevice{f: f, i: index}, nil
}

// fakeNVMLDevice reads one FakeDevice under the fake's lock.
type fakeNVMLDevice struct {
	f *FakeNVML
	i int
}

// read returns a copy of the device (its map copied too).
func (d fakeNVMLDevice) read() FakeDevice {
	d.f.mu.Lock()
	defer d.f.mu.Unlock()
	d.f.gateLocked()
	v := d.f.devices[d.i]
	v.Processes = make(map[int]float64, len(d.f.devices[d.i].Processes))
	for pid, m := range d.f.devices[d.i].Processes {
		v.Processes[pid] = m
	}
	return v
}

// Name implements NVMLDevice.
func (d fakeNVMLDevice) Name() (string, error) { return d.read().Name, nil }

// Memory implements NVMLDevice.
func (d fakeNVMLDevice) Memory() (used, free, total uint64, err error) {
	v := d.read()
	b := func(m float64) uint64 { return uint64(m * (1 << 20)) }
	return b(v.UsedMiB), b(v.TotalMiB - v.UsedMiB), b(v.TotalMiB), nil
}

// Utilization implements NVMLDevice.
func (d fakeNVMLDevice) Utilization() (uint32, error) { return gauge(d.read().UtilPercent, 1) }

// Temperature implements NVMLDevice.
func (d fakeNVMLDevice) Temperature() (uint32, error) { return gauge(d.read().TempC, 1) }

// PowerUsage implements NVMLDevice.
func (d fakeNVMLDevice) PowerUsage() (uint32, error) { return gauge(d.read().PowerW, 1000) }

// PowerLimit implements NVMLDevice.
func (d fakeNVMLDevice) PowerLimit() (uint32, error) { return gauge(d.read().PowerLimitW, 1000) }

// Processes implements NVMLDevice.
func (d fakeNVMLDevice) Processes() ([]GPUProcess, error) {
	var out []GPUProcess
	for pid, m := range d.read().Processes {
		out = append(out, GPUProcess{PID: pid, UsedBytes: uint64(m * (1 << 20)), Known: true})
	}
	return out, nil
}

// gauge scales a fake value, or fails like NVML's ERROR_NOT_SUPPORTED.
func gauge(v *float64, scale float64) (uint32, error) {
	if v == nil {
		return 0, fmt.Errorf("fake nvml: %w: not supported", ErrNVMLUnavailable)
	}
	return uint32(*v * scale), nil
}
