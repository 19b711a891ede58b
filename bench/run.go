package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"parley/gpu"
)

// Options configure Run.
type Options struct {
	// Duration bounds the timed passes of the whole run; each row gets an
	// equal share (at least one batch per workload is always timed).
	// 0 means 60 s. Model loading, warm-up and verification come on top.
	Duration time.Duration
	// Repetitions is the most timed passes over each workload; 0 means 3.
	Repetitions int
	// Warmup is the number of untimed batches run before each row's timing;
	// 0 means 1, negative means none.
	Warmup int
	// Probe reads memory; nil means ProcessProbe without a GPU.
	Probe Probe
	// SampleEvery is the memory polling interval; 0 means 20 ms.
	SampleEvery time.Duration
	// Reference is the device every other device is compared with; "" means "cpu".
	Reference string
	// Tolerances decide the identical-output verdicts.
	Tolerances Tolerances
	// OnProgress, if set, is called before each step with the steps done,
	// the total, and what runs next.
	OnProgress func(done, total int, label string)
}

func (o Options) withDefaults() Options {
	if o.Duration <= 0 {
		o.Duration = time.Minute
	}
	if o.Repetitions <= 0 {
		o.Repetitions = 3
	}
	if o.Warmup == 0 {
		o.Warmup = 1
	}
	if o.Probe == nil {
		o.Probe = ProcessProbe{}
	}
	if o.SampleEvery <= 0 {
		o.SampleEvery = 20 * time.Millisecond
	}
	if o.Reference == "" {
		o.Reference = "cpu"
	}
	if o.OnProgress == nil {
		o.OnProgress = func(int, int, string) {}
	}
	return o
}

// Plan is one benchmark: the targets, and the inputs every target of a
// kind runs.
type Plan struct {
	// Targets are timed in order.
	Targets []Target
	// Workloads are the timed inputs of each kind (e.g. 3 s and 5 s chunks).
	Workloads map[Kind][]Workload
	// Verify are the inputs whose outputs are compared between devices
	// (whole utterances or sentences), run one at a time.
	Verify map[Kind][]Input
	// Options tune the run.
	Options Options
}

// Run times every target and compares the devices' outputs. A target that
// is missing, fails to open or fails a run gets a row that says so; Run
// itself fails only when ctx ends.
func Run(ctx context.Context, plan Plan) (*Report, error) {
	r := &runner{plan: plan, opts: plan.Options.withDefaults(), outputs: map[string][]Output{}, failed: map[string]string{}}
	r.total = r.steps()
	r.budget = r.opts.Duration / time.Duration(max(r.timedPoints(), 1))
	rep := &Report{Started: time.Now(), Options: r.opts.summary()}
	for _, t := range plan.Targets {
		rows, err := r.target(ctx, t)
		rep.Rows = append(rep.Rows, rows...)
		if err != nil {
			return rep, err
		}
	}
	rep.Seconds = time.Since(rep.Started).Seconds()
	setSpeedups(rep.Rows, r.opts.Reference)
	rep.Checks = r.checks()
	rep.Verdict = overall(rep)
	return rep, nil
}

// runner holds one Run's state.
type runner struct {
	plan    Plan
	opts    Options
	budget  time.Duration // timed passes of one row
	done    int
	total   int
	outputs map[string][]Output // verification outputs by Target.Name()
	failed  map[string]string   // why verification failed, by Target.Name()
}

// steps counts the progress steps: each timed row, and each verification.
func (r *runner) steps() int {
	n := 0
	for _, t := range r.plan.Targets {
		if t.Missing == "" {
			n += len(t.grid()) + 1
		}
	}
	return n
}

// timedPoints counts the rows that will be timed.
func (r *runner) timedPoints() int {
	n := 0
	for _, t := range r.plan.Targets {
		if t.Missing == "" {
			n += len(t.grid())
		}
	}
	return n
}

func (r *runner) step(label string) {
	r.opts.OnProgress(r.done, r.total, label)
	r.done++
}

// target opens t, records its verification outputs and times each of its
// grid points.
func (r *runner) target(ctx context.Context, t Target) ([]Row, error) {
	if t.Missing != "" {
		return []Row{baseRow(t, 0, 0, t.Missing)}, nil
	}
	r.step("open " + t.Name())
	sess, err := t.Open(ctx)
	if err != nil {
		return []Row{openFailed(t, err)}, ctx.Err()
	}
	defer closeLoaded(sess)
	if dev := sess.device(t.Device); dev != t.Device {
		return []Row{baseRow(t, 0, 0, fmt.Sprintf("asked for %s, runs on %s", t.Device, dev))}, nil
	}
	r.verify(ctx, t, sess)
	var rows []Row
	for _, g := range t.grid() {
		r.step(fmt.Sprintf("%s batch %d parallel %d", t.Name(), g[0], g[1]))
		rows = append(rows, r.measure(ctx, t, sess, g[0], g[1]))
		if ctx.Err() != nil {
			return rows, fmt.Errorf("bench: %w", ctx.Err())
		}
	}
	return rows, nil
}

// openFailed is the row of a target that would not open: missing when the
// GPU is not there (so the GPU row says why), an error otherwise.
func openFailed(t Target, err error) Row {
	if errors.Is(err, gpu.ErrCUDAUnavailable) || errors.Is(err, gpu.ErrNoGPU) {
		return baseRow(t, 0, 0, err.Error())
	}
	row := baseRow(t, 0, 0, "")
	row.Error = err.Error()
	return row
}

func closeLoaded(s Loaded) {
	if s.Close != nil {
		_ = s.Close()
	}
}

func (s Loaded) device(asked string) string {
	if s.Device == nil {
		return asked
	}
	return s.Device()
}

// verify runs the verification inputs one at a time and keeps the outputs;
// a failure leaves none, and the check says so.
func (r *runner) verify(ctx context.Context, t Target, sess Loaded) {
	inputs := r.plan.Verify[t.Kind]
	if len(inputs) == 0 || r.runnable(t.Model) < 2 {
		return // nothing to compare with
	}
	outs := make([]Output, 0, len(inputs))
	for _, in := range inputs {
		o, err := sess.Run(WithRecording(ctx), []Input{in})
		if err == nil && len(o) != 1 {
			err = fmt.Errorf("%d outputs for 1 input", len(o))
		}
		if err != nil {
			r.failed[t.Name()] = fmt.Sprintf("%s: %v", in.ID, err)
			return
		}
		outs = append(outs, o[0])
	}
	r.outputs[t.Name()] = outs
}

// runnable counts the targets of model that are not missing.
func (r *runner) runnable(model string) int {
	n := 0
	for _, t := range r.plan.Targets {
		if t.Model == model && t.Missing == "" {
			n++
		}
	}
	return n
}

func baseRow(t Target, batch, parallel int, missing string) Row {
	return Row{Model: t.Model, Kind: t.Kind, Device: t.Device, Batch: batch, Parallel: parallel, Missing: missing,
		PeakGPUMiB: -1}
}
