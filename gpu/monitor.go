package gpu

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"
)

// MonitorOptions configures NewMonitor.
type MonitorOptions struct {
	// NVML is the backend; nil means the real library (NewNVML).
	NVML NVML
	// PID is the process whose GPU memory is reported; 0 means this one.
	PID int
}

// Monitor samples every GPU through NVML. Without NVML (no driver) it still
// works: every Snapshot says why there is no data.
type Monitor struct {
	lib     NVML
	pid     int
	initErr error
	mu      sync.Mutex // one NVML conversation at a time; guards closed
	closed  bool
}

// NewMonitor initialises NVML once. It never fails: an Init error becomes
// the Unavailable reason of every Snapshot, and no other NVML call is made.
func NewMonitor(opts MonitorOptions) *Monitor {
	m := &Monitor{lib: opts.NVML, pid: opts.PID}
	if m.lib == nil {
		m.lib = NewNVML()
	}
	if m.pid == 0 {
		m.pid = os.Getpid()
	}
	m.initErr = m.lib.Init()
	return m
}

// Err returns nil when NVML works, else why not (an *NVMLInitError for
// the real library, wrapping ErrNVMLUnavailable).
func (m *Monitor) Err() error { return m.initErr }

// Sample reads every GPU. Values NVML cannot report are nil (N/A).
func (m *Monitor) Sample(ctx context.Context) Snapshot {
	snap := Snapshot{Time: time.Now()}
	m.mu.Lock()
	defer m.mu.Unlock()
	if reason := m.unavailableLocked(ctx); reason != "" {
		snap.Unavailable = reason
		return snap
	}
	n, err := m.lib.DeviceCount()
	if err != nil {
		snap.Unavailable = err.Error()
		return snap
	}
	for i := range n {
		snap.GPUs = append(snap.GPUs, m.sampleDevice(i))
	}
	return snap
}

// unavailableLocked returns why NVML cannot be asked now ("" if it can).
func (m *Monitor) unavailableLocked(ctx context.Context) string {
	switch {
	case m.initErr != nil:
		return m.initErr.Error()
	case m.closed:
		return "monitor closed"
	case ctx.Err() != nil:
		return "sampling cancelled: " + ctx.Err().Error()
	}
	return ""
}

// sampleDevice reads one GPU; each failing value stays nil.
func (m *Monitor) sampleDevice(i int) GPUSample {
	s := GPUSample{Index: i}
	d, err := m.lib.Device(i)
	if err != nil {
		s.Error = err.Error()
		return s
	}
	if name, err := d.Name(); err == nil {
		s.Name = name
	}
	if used, free, total, err := d.Memory(); err == nil {
		s.MemUsedMiB, s.MemFreeMiB, s.MemTotalMiB = mib(used), mib(free), mib(total)
	}
	s.UtilPercent = value(d.Utilization())
	s.TempC = value(d.Temperature())
	s.PowerW = watts(d.PowerUsage())
	s.PowerLimitW = watts(d.PowerLimit())
	s.ProcessMiB = processMiB(d, m.pid)
	return s
}

// processMiB is pid's memory on d: 0 when it is not listed (it holds
// none), nil when NVML cannot tell. In a container NVML lists host PIDs, so
// a process that holds memory may then read 0.
func processMiB(d NVMLDevice, pid int) *float64 {
	ps, err := d.Processes()
	if err != nil {
		return nil
	}
	total := 0.0
	for _, p := range ps {
		if p.PID != pid {
			continue
		}
		if !p.Known {
			return nil
		}
		total += float64(p.UsedBytes) / (1 << 20)
	}
	return &total
}

// mib converts bytes to a MiB value.
func mib(b uint64) *float64 {
	v := float64(b) / (1 << 20)
	return &v
}

// value returns v, or nil when err is set.
func value(v uint32, err error) *float64 {
	if err != nil {
		return nil
	}
	f := float64(v)
	return &f
}

// watts converts milliwatts, or nil when err is set.
func watts(mw uint32, err error) *float64 {
	if err != nil {
		return nil
	}
	w := float64(mw) / 1000
	return &w
}

// Memory returns GPU index's free and total memory and this process's
// share, in MiB, for the memory budget.
func (m *Monitor) Memory(ctx context.Context, index int) (GPUMemory, error) {
	snap := m.Sample(ctx)
	if snap.Unavailable != "" {
		return GPUMemory{}, fmt.Errorf("gpu %d memory: %w: %s", index, ErrNoGPU, snap.Unavailable)
	}
	for _, g := range snap.GPUs {
		if g.Index == index {
			return memoryOf(g)
		}
	}
	return GPUMemory{}, fmt.Errorf("gpu %d memory: %w: NVML lists %d GPUs", index, ErrNoGPU, len(snap.GPUs))
}

// GPUMemory is one GPU's memory figures in MiB.
type GPUMemory struct {
	// FreeMiB and TotalMiB are the device's.
	FreeMiB, TotalMiB float64
	// ProcessMiB is this process's share, or -1 when NVML cannot tell.
	ProcessMiB float64
}

// memoryOf extracts the budget figures from a sample.
func memoryOf(g GPUSample) (GPUMemory, error) {
	if g.MemFreeMiB == nil || g.MemTotalMiB == nil {
		return GPUMemory{}, fmt.Errorf("gpu %d memory: %w: NVML does not report it %s", g.Index, ErrNoGPU, g.Error)
	}
	mem := GPUMemory{FreeMiB: *g.MemFreeMiB, TotalMiB: *g.MemTotalMiB, ProcessMiB: -1}
	if g.ProcessMiB != nil {
		mem.ProcessMiB = *g.ProcessMiB
	}
	return mem, nil
}

// Close shuts NVML down; later samples say "monitor closed".
func (m *Monitor) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed || m.initErr != nil {
		m.closed = true
		return nil
	}
	m.closed = true
	if err := m.lib.Shutdown(); err != nil {
		return fmt.Errorf("close gpu monitor: %w", err)
	}
	return nil
}
