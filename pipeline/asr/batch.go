package asr

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// BatchRecognizer recognises a batch of 16 kHz segments in one model run and
// returns their texts in order. SenseVoice and Paraformer implement it.
type BatchRecognizer interface {
	RecognizeBatch(ctx context.Context, segments [][]float32) ([]string, error)
}

// BatchOptions configures Transcribe.
type BatchOptions struct {
	// BatchSize is the most segments per model run (default 1). Items of a
	// batch are padded to the longest one.
	BatchSize int
	// Parallel is the number of runs in flight at once (default 1).
	Parallel int
}

// Transcribe recognises many segments (e.g. the chunks of a long
// recording) in batches of up to BatchSize, Parallel batches at a time, and
// returns the texts in input order. The first error cancels the remaining
// batches and is returned.
//
// Why sorted: segments are batched in order of length so that a batch's
// padding (and the compute spent on it) stays small; results are put back in
// input order, so callers cannot tell, and a batched model's per-item
// lengths make padding invisible in the text.
func Transcribe(ctx context.Context, r BatchRecognizer, segments [][]float32, opts BatchOptions) ([]string, error) {
	size, workers := max(opts.BatchSize, 1), max(opts.Parallel, 1)
	batches := batchesByLength(segments, size)
	out := make([]string, len(segments))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan []int)
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	fail := func(err error) { once.Do(func() { first = err; cancel() }) }
	for range min(workers, len(batches)) {
		wg.Go(func() {
			for idx := range jobs {
				if err := runBatch(ctx, r, segments, idx, out); err != nil {
					fail(err)
				}
			}
		})
	}
	feed(ctx, jobs, batches)
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = fmt.Errorf("transcribe: %w", ctx.Err())
	}
	return out, first
}

// feed sends every batch unless ctx ends first, then closes jobs.
func feed(ctx context.Context, jobs chan<- []int, batches [][]int) {
	defer close(jobs)
	for _, b := range batches {
		select {
		case jobs <- b:
		case <-ctx.Done():
			return
		}
	}
}

// runBatch recognises the segments at idx and stores their texts in out.
// Workers write disjoint indexes of out, so no lock is needed.
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
