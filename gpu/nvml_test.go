package gpu

import (
	"context"
	"errors"
	"testing"
)

func TestMonitorFake(t *testing.T) {
	fake := NewFakeNVML()
	fake.AddProcessMiB(0, 4242, 300)
	fake.AddProcessMiB(0, 999, 50)
	mon := NewMonitor(MonitorOptions{NVML: fake, PID: 4242})
	snap := mon.Sample(context.Background())
	if snap.Unavailable != "" || len(snap.GPUs) != 2 {
		t.Fatalf("snapshot = %+v", snap)
	}
	h100, l4 := snap.GPUs[0], snap.GPUs[1]
	checks := []struct {
		name string
		got  *float64
		want float64
	}{
		{"used", h100.MemUsedMiB, 1374}, {"total", h100.MemTotalMiB, 81559}, {"free", h100.MemFreeMiB, 81559 - 1374},
		{"util", h100.UtilPercent, 35}, {"temp", h100.TempC, 48}, {"power", h100.PowerW, 120.5},
		{"limit", h100.PowerLimitW, 700}, {"process", h100.ProcessMiB, 300}, {"l4 process", l4.ProcessMiB, 0},
	}
	for _, c := range checks {
		if c.got == nil || *c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if h100.Name != "NVIDIA H100 80GB HBM3" || h100.Index != 0 || l4.Index != 1 {
		t.Errorf("names/indexes: %+v %+v", h100, l4)
	}
	if l4.PowerW != nil || l4.PowerLimitW != nil {
		t.Errorf("L4 power = %v / %v, want N/A (nil), never 0", l4.PowerW, l4.PowerLimitW)
	}
	mem, err := mon.Memory(context.Background(), 0)
	if err != nil || mem.ProcessMiB != 300 || mem.TotalMiB != 81559 {
		t.Errorf("Memory = %+v, %v", mem, err)
	}
	if _, err := mon.Memory(context.Background(), 5); !errors.Is(err, ErrNoGPU) {
		t.Errorf("Memory(5) err = %v", err)
	}
	if err := mon.Close(); err != nil || mon.Sample(context.Background()).Unavailable != "monitor closed" {
		t.Errorf("after close: %v", err)
	}
}

func TestMonitorInitFailureGatesCalls(t *testing.T) {
	fake := NewFakeNVML()
	fake.FailInit(&NVMLInitError{Code: 12, Reason: "NVML library not found (no NVIDIA driver)"})
	mon := NewMonitor(MonitorOptions{NVML: fake})
	snap := mon.Sample(context.Background())
	if snap.Unavailable != "NVML library not found (no NVIDIA driver)" || snap.GPUs != nil {
		t.Fatalf("snapshot = %+v", snap)
	}
	if _, err := mon.Memory(context.Background(), 0); !errors.Is(err, ErrNoGPU) {
		t.Errorf("Memory err = %v", err)
	}
	_ = mon.Close()
	if n := fake.Violations(); n != 0 {
		t.Errorf("%d NVML calls after a failed Init", n)
	}
	if !errors.Is(mon.Err(), ErrNVMLUnavailable) {
		t.Errorf("Err = %v", mon.Err())
	}
}

// TestMonitorRealNVML runs the real go-nvml backend. Without a driver it
// must report why and not kill the process (a gated call would exit 127).
func TestMonitorRealNVML(t *testing.T) {
	mon := NewMonitor(MonitorOptions{})
	defer mon.Close()
	snap := mon.Sample(context.Background())
	if mon.Err() == nil {
		if snap.Unavailable != "" || len(snap.GPUs) == 0 {
			t.Fatalf("NVML initialised but snapshot = %+v", snap)
		}
		t.Logf("NVML: %d GPUs, first %q", len(snap.GPUs), snap.GPUs[0].Name)
		return
	}
	if snap.Unavailable == "" || snap.GPUs != nil {
		t.Fatalf("snapshot = %+v", snap)
	}
	var ie *NVMLInitError
	if !errors.As(mon.Err(), &ie) {
		t.Fatalf("Err = %T %v", mon.Err(), mon.Err())
	}
	if ie.Code == 12 && snap.Unavailable != "NVML library not found (no NVIDIA driver)" {
		t.Errorf("Unavailable = %q", snap.Unavailable)
	}
	t.Logf("no NVML: %s", snap.Unavailable)
}
