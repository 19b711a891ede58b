package bench

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// fakeEngine sleeps a fixed time per batch and transcribes each input as
// its ID, optionally differing on one ID.
type fakeEngine struct {
	perBatch time.Duration
	differOn string // this input's text gets " (different)"
	failOn   string // this input fails
	runs     atomic.Int64
}

func (f *fakeEngine) run(ctx context.Context, batch []Input) ([]Output, error) {
	f.runs.Add(1)
	select {
	case <-time.After(f.perBatch):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	outs := make([]Output, len(batch))
	for i, in := range batch {
		if in.ID == f.failOn {
			return nil, fmt.Errorf("fake failure on %s", in.ID)
		}
		outs[i] = Output{Text: "text of " + in.ID, Values: []float32{float32(len(in.Samples)), 1}}
		if in.ID == f.differOn {
			outs[i].Text += " (different)"
			outs[i].Values[1] = 1.5
		}
	}
	return outs, nil
}

// fakeTarget wraps f as a target.
func fakeTarget(model, device string, f *fakeEngine) Target {
	return Target{Model: model, Kind: KindASR, Device: device, Open: func(context.Context) (Loaded, error) {
		return Loaded{Run: f.run}, nil
	}}
}

// seconds returns n inputs of d seconds of silence named prefix#i.
func seconds(prefix string, n int, d float64) []Input {
	out := make([]Input, n)
	for i := range out {
		out[i] = Input{ID: fmt.Sprintf("%s#%d", prefix, i), Samples: make([]float32, int(d*SampleRate))}
	}
	return out
}

// fakeProbe reports memory from a function of the number of samples taken.
type fakeProbe struct {
	n   atomic.Int64
	rss func(n int64) float64
	gpu func(n int64) float64
}

func (p *fakeProbe) Sample(context.Context) MemorySample {
	n := p.n.Add(1)
	return MemorySample{RSSMiB: p.rss(n), GPUMiB: p.gpu(n)}
}

func flat(v float64) func(int64) float64 { return func(int64) float64 { return v } }
