package gpu

import (
	"fmt"
	"math"
	"sync"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

// NVML is the part of NVIDIA's management library the monitor uses. The
// real one wraps go-nvml (NewNVML); FakeNVML stands in for tests.
type NVML interface {
	// Init loads and initialises the library. Nothing else may be called
	// after it failed.
	Init() error
	// Shutdown releases the library.
	Shutdown() error
	// DeviceCount returns the number of GPUs.
	DeviceCount() (int, error)
	// Device returns GPU index.
	Device(index int) (NVMLDevice, error)
}

// NVMLDevice is one GPU. Each getter fails on its own (e.g. power on a GPU
// that does not report it); the monitor shows such a value as N/A.
type NVMLDevice interface {
	// Name returns the product name.
	Name() (string, error)
	// Memory returns used, free and total device memory in bytes.
	Memory() (used, free, total uint64, err error)
	// Utilization returns the GPU utilisation in percent.
	Utilization() (uint32, error)
	// Temperature returns the core temperature in °C.
	Temperature() (uint32, error)
	// PowerUsage returns the power draw in milliwatts.
	PowerUsage() (uint32, error)
	// PowerLimit returns the enforced power limit in milliwatts.
	PowerLimit() (uint32, error)
	// Processes returns the compute processes using the GPU.
	Processes() ([]GPUProcess, error)
}

// GPUProcess is one compute process on a GPU.
type GPUProcess struct {
	// PID is the process id as NVML sees it (the host's, in a container).
	PID int
	// UsedBytes is its device memory in bytes.
	UsedBytes uint64
	// Known is false when NVML does not report the process's memory.
	Known bool
}

// NVMLInitError is why NVML could not be initialised. Its message is what
// the UI shows, e.g. "NVML library not found (no NVIDIA driver)".
type NVMLInitError struct {
	// Code is NVML's return code.
	Code int
	// Reason is the human-readable cause.
	Reason string
}

// Error implements error.
func (e *NVMLInitError) Error() string { return e.Reason }

// Unwrap returns ErrNVMLUnavailable.
func (e *NVMLInitError) Unwrap() error { return ErrNVMLUnavailable }

// realNVML is NVML through go-nvml. Every call is gated on a successful
// Init: go-nvml resolves symbols lazily, and any call but Init after a
// failed Init dies with a symbol lookup error (exit 127) that no recover
// can catch.
type realNVML struct {
	mu  sync.Mutex
	lib nvml.Interface
	ok  bool
}

// NewNVML returns the real NVML backend (not yet initialised).
func NewNVML() NVML { return &realNVML{lib: nvml.New()} }

// Init implements NVML.
func (r *realNVML) Init() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ok {
		return nil
	}
	if ret := r.lib.Init(); ret != nvml.SUCCESS {
		return initError(ret)
	}
	r.ok = true
	return nil
}

// initError explains a failed nvml.Init. Return.Error is safe here: without
// the library go-nvml answers from its own table.
func initError(ret nvml.Return) *NVMLInitError {
	reason := ""
	switch ret {
	case nvml.ERROR_LIBRARY_NOT_FOUND:
		reason = "NVML library not found (no NVIDIA driver)"
	case nvml.ERROR_DRIVER_NOT_LOADED:
		reason = "NVIDIA driver not loaded"
	case nvml.ERROR_NO_PERMISSION:
		reason = "no permission to use NVML"
	default:
		reason = "NVML init failed: " + ret.Error()
	}
	return &NVMLInitError{Code: int(ret), Reason: reason}
}

// Shutdown implements NVML.
func (r *realNVML) Shutdown() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.ok {
		return nil
	}
	r.ok = false
	return nvmlErr("shutdown", r.lib.Shutdown())
}

// ready reports whether Init succeeded.
func (r *realNVML) ready() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ok
}

// DeviceCount implements NVML.
func (r *realNVML) DeviceCount() (int, error) {
	if !r.ready() {
		return 0, fmt.Errorf("device count: %w", ErrNVMLUnavailable)
	}
	n, ret := r.lib.DeviceGetCount()
	return n, nvmlErr("device count", ret)
}

// Device implements NVML.
func (r *realNVML) Device(index int) (NVMLDevice, error) {
	if !r.ready() {
		return nil, fmt.Errorf("gpu %d: %w", index, ErrNVMLUnavailable)
	}
	d, ret := r.lib.DeviceGetHandleByIndex(index)
	if err := nvmlErr(fmt.Sprintf("gpu %d", index), ret); err != nil {
		return nil, err
	}
	return realDevice{d: d}, nil
}

// nvmlErr turns a return code into an error (nil on success).
func nvmlErr(op string, ret nvml.Return) error {
	if ret == nvml.SUCCESS {
		return nil
	}
	return fmt.Errorf("nvml %s: %s", op, ret.Error())
}

// realDevice is a GPU handle; it only exists after a successful Init.
type realDevice struct{ d nvml.Device }

// Name implements NVMLDevice.
func (d realDevice) Name() (string, error) {
	n, ret := d.d.GetName()
	return n, nvmlErr("name", ret)
}

// Memory implements NVMLDevice.
func (d realDevice) Memory() (used, free, total uint64, err error) {
	m, ret := d.d.GetMemoryInfo()
	return m.Used, m.Free, m.Total, nvmlErr("memory", ret)
}

// Utilization implements NVMLDevice.
func (d realDevice) Utilization() (uint32, error) {
	u, ret := d.d.GetUtilizationRates()
	return u.Gpu, nvmlErr("utilization", ret)
}

// Temperature implements NVMLDevice.
func (d realDevice) Temperature() (uint32, error) {
	t, ret := d.d.GetTemperature(nvml.TEMPERATURE_GPU)
	return t, nvmlErr("temperature", ret)
}

// PowerUsage implements NVMLDevice.
func (d realDevice) PowerUsage() (uint32, error) {
	p, ret := d.d.GetPowerUsage()
	return p, nvmlErr("power", ret)
}

// PowerLimit implements NVMLDevice.
func (d realDevice) PowerLimit() (uint32, error) {
	p, ret := d.d.GetEnforcedPowerLimit()
	return p, nvmlErr("power limit", ret)
}

// Processes implements NVMLDevice.
func (d realDevice) Processes() ([]GPUProcess, error) {
	ps, ret := d.d.GetComputeRunningProcesses()
	if err := nvmlErr("processes", ret); err != nil {
		return nil, err
	}
	out := make([]GPUProcess, len(ps))
	for i, p := range ps {
		known := p.UsedGpuMemory != math.MaxUint64 // NVML_VALUE_NOT_AVAILABLE
		out[i] = GPUProcess{PID: int(p.Pid), UsedBytes: p.UsedGpuMemory, Known: known}
	}
	return out, nil
}
