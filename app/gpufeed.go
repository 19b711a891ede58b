package app

import (
	"context"
	"sync"
	"time"

	"parley/gpu"
)

// gpuFeed hands the GPU poller's snapshots to the UI: NVML is read by one
// poller (App.watchGPUs), and the UI's GPU pane shows what it read.
type gpuFeed struct {
	mu    sync.Mutex
	snap  gpu.Snapshot
	seq   uint64        // snapshots published
	shown uint64        // seq of the last one handed out
	ended bool          // the poller has stopped
	fresh chan struct{} // closed (and replaced) at each publish and at the end
}

func newGPUFeed() *gpuFeed {
	return &gpuFeed{fresh: make(chan struct{})}
}

// publish stores a snapshot and wakes the reader.
func (f *gpuFeed) publish(s gpu.Snapshot) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.snap = s
	f.seq++
	f.wake()
}

// end says that no snapshot follows: the reader gets the last one at once.
func (f *gpuFeed) end() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ended = true
	f.wake()
}

func (f *gpuFeed) wake() {
	close(f.fresh)
	f.fresh = make(chan struct{})
}

// next returns a snapshot the reader has not had, waiting for one until
// ctx ends; after that, or once the poller has stopped, the last one (or,
// before the first, why there is none).
func (f *gpuFeed) next(ctx context.Context) gpu.Snapshot {
	for {
		f.mu.Lock()
		if f.seq > f.shown || f.ended {
			f.shown = f.seq
			s := f.latest()
			f.mu.Unlock()
			return s
		}
		fresh := f.fresh
		f.mu.Unlock()
		select {
		case <-fresh:
		case <-ctx.Done():
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.latest()
		}
	}
}

// latest is the last snapshot, or why there is none yet; f.mu is held.
func (f *gpuFeed) latest() gpu.Snapshot {
	if f.seq == 0 {
		return gpu.Snapshot{Time: time.Now(), Unavailable: "no GPU reading yet"}
	}
	return f.snap
}

// watchGPUs is the one NVML poller while the conversation runs: the GPU
// manager's Watch (which also moves a model off a GPU short of memory)
// when models can move to a GPU, else the monitor alone. Each snapshot
// goes to the UI's feed. Without NVML it reads once: the reason stays.
func (a *App) watchGPUs(ctx context.Context) {
	defer a.gpu.end()
	if gpus := a.eng.GPUs; gpus != nil && gpus.GPUUnavailable() == "" {
		a.relayWatch(ctx, gpus)
		return
	}
	mon := a.eng.Monitor
	for {
		snap := mon.Sample(ctx)
		if ctx.Err() != nil {
			return
		}
		a.gpu.publish(snap)
		if mon.Err() != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(gpuWatchInterval):
		}
	}
}

// relayWatch runs the manager's Watch until ctx ends and publishes what it
// sends; it returns once Watch has returned.
func (a *App) relayWatch(ctx context.Context, gpus *gpu.Manager) {
	snaps := make(chan gpu.Snapshot)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = gpus.Watch(ctx, gpuWatchInterval, snaps)
	}()
	for {
		select {
		case s := <-snaps:
			a.gpu.publish(s)
		case <-done:
			return
		}
	}
}
