package bench

import (
	"context"
	"math"
	"sync"
	"time"
)

// peaks are the highest memory figures seen while a sampler ran.
type peaks struct {
	rssMiB float64
	gpuMiB float64 // -1 when never known
}

// sampler polls a Probe until stopped, keeping the peaks. Why poll: VmHWM
// gives the exact resident peak, but only where this process may reset it
// (clear_refs); NVML has no peak at all, so GPU memory must be polled.
type sampler struct {
	probe    Probe
	useHWM   bool
	mu       sync.Mutex
	p        peaks
	stop     context.CancelFunc
	finished chan struct{}
}

// startSampler resets the probe's peak when it can and polls it every
// interval in a goroutine; stop ends it and returns the peaks.
func startSampler(ctx context.Context, probe Probe, every time.Duration) *sampler {
	s := &sampler{probe: probe, p: peaks{gpuMiB: -1}, finished: make(chan struct{})}
	if r, ok := probe.(interface{ ResetPeak() error }); ok {
		s.useHWM = r.ResetPeak() == nil
	}
	ctx, s.stop = context.WithCancel(ctx)
	s.take(ctx)
	go s.loop(ctx, every)
	return s
}

func (s *sampler) loop(ctx context.Context, every time.Duration) {
	defer close(s.finished)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.take(ctx)
		}
	}
}

func (s *sampler) take(ctx context.Context) {
	m := s.probe.Sample(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.p.rssMiB = math.Max(s.p.rssMiB, m.RSSMiB)
	if s.useHWM {
		s.p.rssMiB = math.Max(s.p.rssMiB, m.PeakRSSMiB)
	}
	s.p.gpuMiB = math.Max(s.p.gpuMiB, m.GPUMiB)
}

// done stops polling, takes a last sample and returns the peaks.
func (s *sampler) done(ctx context.Context) peaks {
	s.stop()
	<-s.finished
	s.take(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.p
}
