package bench

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// recordingKey marks a context whose runs should fill Output.Values.
type recordingKey struct{}

// WithRecording marks ctx so that a RunFunc fills Output.Values even where
// that costs time (e.g. copying logits); verification runs use it, timed
// runs do not.
func WithRecording(ctx context.Context) context.Context {
	return context.WithValue(ctx, recordingKey{}, true)
}

// Recording reports whether a run should fill Output.Values.
func Recording(ctx context.Context) bool {
	v, _ := ctx.Value(recordingKey{}).(bool)
	return v
}

// tally accumulates one workload's timings over the repetitions.
type tally struct {
	items   int
	audio   float64
	wall    time.Duration
	latency []time.Duration
}

// measure times one grid point: warm-up, then repetitions over every
// workload until the row's budget is spent.
func (r *runner) measure(ctx context.Context, t Target, sess Loaded, batch, parallel int) Row {
	row := baseRow(t, batch, parallel, "")
	loads := r.plan.Workloads[t.Kind]
	if len(loads) == 0 || len(loads[0].Inputs) == 0 {
		row.Error = "no inputs for " + string(t.Kind)
		return row
	}
	smp := startSampler(ctx, r.opts.Probe, r.opts.SampleEvery)
	tallies, reps, err := r.timeLoads(ctx, sess, loads, batch, parallel)
	p := smp.done(ctx)
	row.PeakRSSMiB, row.PeakGPUMiB, row.Repetitions = p.rssMiB, p.gpuMiB, reps
	if err != nil {
		row.Error = err.Error()
		return row
	}
	row.fill(loads, tallies)
	return row
}

// timeLoads warms up, then runs the repetitions; it returns the tallies of
// each workload and the number of repetitions begun.
func (r *runner) timeLoads(ctx context.Context, sess Loaded, loads []Workload, batch, parallel int) ([]tally, int, error) {
	for range max(r.opts.Warmup, 0) {
		first := loads[0].Inputs[:min(batch, len(loads[0].Inputs))]
		if _, err := sess.Run(ctx, first); err != nil {
			return nil, 0, fmt.Errorf("warm-up: %w", err)
		}
	}
	tallies := make([]tally, len(loads))
	start, reps := time.Now(), 0
	share := r.budget / time.Duration(len(loads))
	for reps < r.opts.Repetitions && (reps == 0 || time.Since(start) < r.budget) {
		reps++
		for i, l := range loads {
			deadline := time.Now().Add(share)
			if reps > 1 {
				deadline = start.Add(r.budget)
			}
			if err := pass(ctx, sess, l.Inputs, batch, parallel, deadline, &tallies[i]); err != nil {
				return nil, reps, err
			}
		}
	}
	return tallies, reps, nil
}

// pass runs inputs in batches, parallel at a time. Batches stop being
// handed out at the deadline, but the first one always runs. Each item's
// latency is its batch's service time: every input is ready at the start,
// so time spent queueing would measure the queue, not the model.
func pass(ctx context.Context, sess Loaded, inputs []Input, batch, parallel int, deadline time.Time, t *tally) error {
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	began := time.Now()
	for i := 0; i < len(inputs); i += batch {
		if gctx.Err() != nil || (i > 0 && time.Now().After(deadline)) {
			break
		}
		b := inputs[i:min(i+batch, len(inputs))]
		g.Go(func() error {
			lat, audio, err := runBatch(gctx, sess, b)
			mu.Lock()
			defer mu.Unlock()
			t.add(b, lat, audio)
			return err
		})
	}
	err := g.Wait()
	t.wall += time.Since(began)
	return err
}

// runBatch runs one batch and returns its service time and the seconds of
// audio it stands for.
func runBatch(ctx context.Context, sess Loaded, b []Input) (time.Duration, float64, error) {
	t0 := time.Now()
	outs, err := sess.Run(ctx, b)
	lat := time.Since(t0)
	if err != nil {
		return lat, 0, fmt.Errorf("run %s: %w", b[0].ID, err)
	}
	if len(outs) != len(b) {
		return lat, 0, fmt.Errorf("run %s: %d outputs for %d inputs", b[0].ID, len(outs), len(b))
	}
	var audio float64
	for i, o := range outs {
		audio += audioSeconds(b[i], o)
	}
	return lat, audio, nil
}

// audioSeconds is the audio an item stands for: what a synthesiser made,
// else the input's audio.
func audioSeconds(in Input, out Output) float64 {
	if out.Seconds > 0 {
		return out.Seconds
	}
	return in.Seconds()
}

func (t *tally) add(b []Input, lat time.Duration, audio float64) {
	t.items += len(b)
	t.audio += audio
	for range b {
		t.latency = append(t.latency, lat)
	}
}
