package app

import (
	"context"
	"sync/atomic"
	"testing"

	"parley/gpu"
)

// countingNVML counts the GPU polls (one DeviceCount per Sample).
type countingNVML struct {
	*gpu.FakeNVML
	polls atomic.Int32
}

func (c *countingNVML) DeviceCount() (int, error) {
	c.polls.Add(1)
	return c.FakeNVML.DeviceCount()
}

// TestUIGetsThePollersSnapshots: the UI's GPU samples are the one poller's
// readings, each new; the UI never polls NVML itself.
func TestUIGetsThePollersSnapshots(t *testing.T) {
	nvml := &countingNVML{FakeNVML: gpu.NewFakeNVML()}
	mon := gpu.NewMonitor(gpu.MonitorOptions{NVML: nvml})
	defer mon.Close()
	a := &App{eng: &Engines{Monitor: mon}, gpu: newGPUFeed()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.watchGPUs(ctx) }()
	var last gpu.Snapshot
	for i := range 3 {
		snap := a.SampleGPU(context.Background())
		if len(snap.GPUs) != 2 || snap.Unavailable != "" || (i > 0 && !snap.Time.After(last.Time)) {
			t.Fatalf("sample %d: %+v after %v, want a new reading of both GPUs", i, snap, last.Time)
		}
		last = snap
	}
	cancel()
	<-done
	a.gpu.mu.Lock()
	published := a.gpu.seq
	a.gpu.mu.Unlock()
	if polls := nvml.polls.Load(); uint64(polls) != published {
		t.Errorf("NVML polled %d times for %d readings: someone polls besides the watcher", polls, published)
	}
	if snap := a.SampleGPU(context.Background()); len(snap.GPUs) != 2 {
		t.Errorf("after the poller stopped: %+v, want its last reading at once", snap)
	}
}

// TestUIKeepsTheNoGPUReason: without NVML the poller reads once and the
// UI gets the reason every time, without waiting.
func TestUIKeepsTheNoGPUReason(t *testing.T) {
	nvml := gpu.NewFakeNVML()
	nvml.FailInit(&gpu.NVMLInitError{Reason: "NVML library not found"})
	mon := gpu.NewMonitor(gpu.MonitorOptions{NVML: nvml})
	defer mon.Close()
	a := &App{eng: &Engines{Monitor: mon}, gpu: newGPUFeed()}
	a.watchGPUs(context.Background()) // returns after the one reading
	for range 2 {
		if snap := a.SampleGPU(context.Background()); snap.Unavailable != "NVML library not found" {
			t.Errorf("snapshot %+v, want the reason", snap)
		}
	}
	if nvml.Violations() != 0 {
		t.Errorf("NVML used after a failed Init")
	}
}

// TestGPUFeedBeforeTheFirstReading says why there is no reading yet when
// the caller stops waiting.
func TestGPUFeedBeforeTheFirstReading(t *testing.T) {
	f := newGPUFeed()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if snap := f.next(ctx); snap.Unavailable != "no GPU reading yet" {
		t.Errorf("%+v, want why there is no reading", snap)
	}
}
