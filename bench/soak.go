package bench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// SoakOptions configure Soak.
type SoakOptions struct {
	// Duration is how long to run; 0 means 30 minutes.
	Duration time.Duration
	// SwitchEvery is the interval between live switches; 0 means none.
	SwitchEvery time.Duration
	// Switch performs the n-th live switch (n from 1), e.g. moving models
	// between the CPU and the GPU. It runs while the runs go on.
	Switch func(ctx context.Context, n int) error
	// SampleEvery is the memory polling interval; 0 means Duration/120,
	// kept between 10 ms and 10 s.
	SampleEvery time.Duration
	// MaxRSSGrowthMiB and MaxGPUGrowthMiB bound the memory growth over the
	// run (fitted slope x duration); 0 means 64 MiB.
	MaxRSSGrowthMiB, MaxGPUGrowthMiB float64
	// MaxGoroutineGrowth bounds goroutines left over at the end; 0 means 10.
	MaxGoroutineGrowth int
	// Probe reads memory; nil means ProcessProbe without a GPU.
	Probe Probe
	// OnProgress, if set, is called at each sample with elapsed and total
	// whole seconds.
	OnProgress func(done, total int, label string)
}

func (o SoakOptions) withDefaults() SoakOptions {
	if o.Duration <= 0 {
		o.Duration = 30 * time.Minute
	}
	if o.SampleEvery <= 0 {
		o.SampleEvery = min(max(o.Duration/120, 10*time.Millisecond), 10*time.Second)
	}
	if o.MaxRSSGrowthMiB <= 0 {
		o.MaxRSSGrowthMiB = 64
	}
	if o.MaxGPUGrowthMiB <= 0 {
		o.MaxGPUGrowthMiB = 64
	}
	if o.MaxGoroutineGrowth <= 0 {
		o.MaxGoroutineGrowth = 10
	}
	if o.Probe == nil {
		o.Probe = ProcessProbe{}
	}
	if o.OnProgress == nil {
		o.OnProgress = func(int, int, string) {}
	}
	return o
}

// SoakLoad is one opened model and the inputs it runs in a loop.
type SoakLoad struct {
	// Name labels the model in errors, e.g. "sensevoice".
	Name string
	// Run processes one input at a time.
	Run RunFunc
	// Inputs are looped over.
	Inputs []Input
}

// SoakReport is the result of a soak run.
type SoakReport struct {
	// Machine is where it ran (filled by the caller).
	Machine Machine `json:"machine"`
	// Started is when the run began; Seconds how long it ran.
	Started time.Time `json:"started"`
	Seconds float64   `json:"seconds"`
	// Runs, AudioSeconds and Switches count what was done.
	Runs         int     `json:"runs"`
	AudioSeconds float64 `json:"audio_s"`
	Switches     int     `json:"switches"`
	// Errors counts failed runs and switches; FirstErrors keeps the first few.
	Errors      int      `json:"errors"`
	FirstErrors []string `json:"first_errors,omitempty"`
	// RSS and GPU are the memory trends.
	RSS Trend `json:"rss"`
	GPU Trend `json:"gpu"`
	// GoroutinesStart and GoroutinesEnd count goroutines around the run.
	GoroutinesStart int `json:"goroutines_start"`
	GoroutinesEnd   int `json:"goroutines_end"`
	// Bounds are the limits the verdict applied.
	Bounds SoakBounds `json:"bounds"`
	// Verdict is PASS or FAIL; Reasons say why it failed.
	Verdict string   `json:"verdict"`
	Reasons []string `json:"reasons,omitempty"`
	// Notes are remarks for the reader (filled by the caller).
	Notes []string `json:"notes,omitempty"`
}

// SoakBounds are the limits of a soak verdict.
type SoakBounds struct {
	RSSGrowthMiB    float64 `json:"rss_growth_mib"`
	GPUGrowthMiB    float64 `json:"gpu_growth_mib"`
	GoroutineGrowth int     `json:"goroutine_growth"`
}

// Trend is a memory series summarised: where it started and ended, its
// least-squares slope, and the growth that slope means over the run.
type Trend struct {
	// Known is false when the memory could not be read (e.g. no NVML).
	Known bool `json:"known"`
	// StartMiB, EndMiB and PeakMiB are the first, last and highest samples.
	StartMiB float64 `json:"start_mib"`
	EndMiB   float64 `json:"end_mib"`
	PeakMiB  float64 `json:"peak_mib"`
	// SlopeMiBPerMin is the fitted slope over the run after its first
	// tenth (allocators and arenas settle at the start).
	SlopeMiBPerMin float64 `json:"slope_mib_per_min"`
	// GrowthMiB is the slope times the run's length.
	GrowthMiB float64 `json:"growth_mib"`
	// Samples is the number of readings.
	Samples int `json:"samples"`
}

// Soak runs every load in a loop for opts.Duration with live switches,
// samples memory and goroutines, and fails when they grow beyond the
// bounds or when any run or switch fails. It returns an error only when
// ctx ends before the run does.
func Soak(ctx context.Context, loads []SoakLoad, opts SoakOptions) (*SoakReport, error) {
	opts = opts.withDefaults()
	rep := &SoakReport{Started: time.Now(), GoroutinesStart: runtime.NumGoroutine(),
		Bounds: SoakBounds{opts.MaxRSSGrowthMiB, opts.MaxGPUGrowthMiB, opts.MaxGoroutineGrowth}}
	s := &soak{rep: rep, opts: opts}
	runCtx, cancel := context.WithTimeout(ctx, opts.Duration)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { s.sampleLoop(runCtx) })
	wg.Go(func() { s.switchLoop(runCtx) })
	s.runLoop(runCtx, loads)
	cancel()
	wg.Wait()
	rep.Seconds = time.Since(rep.Started).Seconds()
	rep.GoroutinesEnd = runtime.NumGoroutine()
	s.judge()
	if ctx.Err() != nil {
		return rep, fmt.Errorf("soak: %w", ctx.Err())
	}
	return rep, nil
}

// soak is one Soak run's state.
type soak struct {
	rep  *SoakReport
	opts SoakOptions
	mu   sync.Mutex
	t    []float64 // minutes since the start
	rss  []float64
	gpu  []float64
}

func (s *soak) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rep.Errors++
	if len(s.rep.FirstErrors) < 5 {
		s.rep.FirstErrors = append(s.rep.FirstErrors, err.Error())
	}
}

// runLoop runs each load's next input in turn until ctx ends.
func (s *soak) runLoop(ctx context.Context, loads []SoakLoad) {
	for i := 0; ctx.Err() == nil; i++ {
		for _, l := range loads {
			if len(l.Inputs) == 0 {
				continue
			}
			in := l.Inputs[i%len(l.Inputs)]
			outs, err := l.Run(ctx, []Input{in})
			if ctx.Err() != nil {
				return
			}
			s.count(l.Name, in, outs, err)
		}
	}
}

func (s *soak) count(name string, in Input, outs []Output, err error) {
	if err == nil && len(outs) != 1 {
		err = fmt.Errorf("%d outputs for 1 input", len(outs))
	}
	if err != nil {
		s.fail(fmt.Errorf("%s %s: %w", name, in.ID, err))
		return
	}
	s.mu.Lock()
	s.rep.Runs++
	s.rep.AudioSeconds += audioSeconds(in, outs[0])
	s.mu.Unlock()
}

// switchLoop calls opts.Switch every SwitchEvery while the runs go on.
func (s *soak) switchLoop(ctx context.Context) {
	if s.opts.SwitchEvery <= 0 || s.opts.Switch == nil {
		return
	}
	t := time.NewTicker(s.opts.SwitchEvery)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := s.opts.Switch(ctx, n)
		if err != nil && ctx.Err() != nil {
			return // cut short by the end of the run
		}
		if err != nil {
			s.fail(fmt.Errorf("switch %d: %w", n, err))
			continue
		}
		s.mu.Lock()
		s.rep.Switches++
		s.mu.Unlock()
	}
}

// sampleLoop reads memory every SampleEvery, and once more at the end.
func (s *soak) sampleLoop(ctx context.Context) {
	t := time.NewTicker(s.opts.SampleEvery)
	defer t.Stop()
	total := int(s.opts.Duration.Seconds())
	for {
		s.sample(context.WithoutCancel(ctx))
		elapsed := time.Since(s.rep.Started)
		s.opts.OnProgress(int(elapsed.Seconds()), total, fmt.Sprintf("soak %s of %s", elapsed.Round(time.Second), s.opts.Duration))
		select {
		case <-ctx.Done():
			s.sample(context.WithoutCancel(ctx))
			return
		case <-t.C:
		}
	}
}

func (s *soak) sample(ctx context.Context) {
	m := s.opts.Probe.Sample(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.t = append(s.t, time.Since(s.rep.Started).Minutes())
	s.rss = append(s.rss, m.RSSMiB)
	s.gpu = append(s.gpu, m.GPUMiB)
}

// CycleSwitch returns a SoakOptions.Switch that moves every session that
// can move to devices[n % len(devices)] on the n-th switch.
func CycleSwitch(sessions []Loaded, devices []string) func(ctx context.Context, n int) error {
	return func(ctx context.Context, n int) error {
		var errs []error
		for _, s := range sessions {
			if s.Switch != nil {
				errs = append(errs, s.Switch(ctx, devices[n%len(devices)]))
			}
		}
		return errors.Join(errs...)
	}
}
