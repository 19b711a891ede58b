package asr

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"
)

// BatchRecognizer recognises a batch of 16 kHz segments in one model run and
// returns their texts in order. SenseVoice and Paraformer implement it.
type BatchRecognizer interface {
	RecognizeBatch(ctx context.Context, segments [][]float32) ([]string, error)
}

// BatchOptions configures Transcribe.
type BatchOptions struct {
	// BatchSize is the most segments per model run (default 1), for engines
	// that batch. Items of a batch are padded to the longest one.
	BatchSize int
	// Parallel is the number of runs in flight at once (default 1).
	Parallel int
	// Progress, when set, is told after each run how many samples have been
	// recognised and how many there are in all. Calls do not overlap.
	Progress func(done, total int64)
}

// Transcribe recognises many segments (the utterances of a file, the
// chunks of a long recording) with e and returns the texts in input order.
// An engine that implements BatchRecognizer gets up to BatchSize segments
// per model run; any other gets one stream per segment. Parallel runs are
// in flight at once. The first error cancels the remaining runs and is
// returned.
//
// Why sorted: segments are batched in order of length so that a batch's
// padding (and the compute spent on it) stays small; results are put back in
// input order, so callers cannot tell, and a batched model's per-item
// lengths make padding invisible in the text.
func Transcribe(ctx context.Context, e Engine, segments [][]float32, opts BatchOptions) ([]string, error) {
	r, ok := e.(BatchRecognizer)
	size := max(opts.BatchSize, 1)
	if !ok {
		r, size = streams{e}, 1
	}
	out := make([]string, len(segments))
	progress := newTally(segments, opts.Progress)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(opts.Parallel, 1))
	for _, idx := range batchesByLength(segments, size) {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := runBatch(gctx, r, segments, idx, out); err != nil {
				return err
			}
			progress.add(segments, idx)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return out, err
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("transcribe: %w", err)
	}
	return out, nil
}

// runBatch recognises the segments at idx and stores their texts in out.
// Runs write disjoint indexes of out, so no lock is needed.
func runBatch(ctx context.Context, r BatchRecognizer, segments [][]float32, idx []int, out []string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("transcribe: %w", err)
	}
	batch := make([][]float32, len(idx))
	for i, j := range idx {
		batch[i] = segments[j]
	}
	texts, err := r.RecognizeBatch(ctx, batch)
	if err != nil {
		return fmt.Errorf("transcribe segments %v: %w", idx, err)
	}
	if len(texts) != len(idx) {
		return fmt.Errorf("transcribe segments %v: %w: %d texts for %d segments", idx, ErrDecode, len(texts), len(idx))
	}
	for i, j := range idx {
		out[j] = texts[i]
	}
	return nil
}

// batchesByLength groups segment indexes, shortest first, size at a time.
func batchesByLength(segments [][]float32, size int) [][]int {
	order := make([]int, len(segments))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(segments[a]) - len(segments[b]) })
	var out [][]int
	for len(order) > 0 {
		n := min(size, len(order))
		out, order = append(out, order[:n:n]), order[n:]
	}
	return out
}

// streams recognises a "batch" one segment at a time, each through its own
// stream of an engine that does not batch.
type streams struct{ e Engine }

// RecognizeBatch implements BatchRecognizer.
func (s streams) RecognizeBatch(ctx context.Context, segments [][]float32) ([]string, error) {
	out := make([]string, len(segments))
	for i, seg := range segments {
		text, err := Recognize(ctx, s.e, seg)
		if err != nil {
			return nil, err
		}
		out[i] = text
	}
	return out, nil
}

// Recognize returns the final transcript of one utterance, run through a
// new stream of e.
func Recognize(ctx context.Context, e Engine, samples []float32) (string, error) {
	st, err := e.NewStream(ctx)
	if err != nil {
		return "", fmt.Errorf("%s: %w", e.Name(), err)
	}
	defer st.Close()
	if err := st.Accept(ctx, samples); err != nil {
		return "", fmt.Errorf("%s: %w", e.Name(), err)
	}
	res, err := st.Finish(ctx)
	if err != nil {
		return "", fmt.Errorf("%s: %w", e.Name(), err)
	}
	return res.Text, nil
}

// tally counts the samples recognised for BatchOptions.Progress.
type tally struct {
	mu          sync.Mutex
	done, total int64
	report      func(done, total int64)
}

func newTally(segments [][]float32, report func(done, total int64)) *tally {
	t := &tally{report: report}
	for _, s := range segments {
		t.total += int64(len(s))
	}
	return t
}

// add counts the segments at idx as recognised and reports.
func (t *tally) add(segments [][]float32, idx []int) {
	if t.report == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, j := range idx {
		t.done += int64(len(segments[j]))
	}
	t.report(t.done, t.total)
}
