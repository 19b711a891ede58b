package app

import (
	"context"
	"errors"
	"io"

	"parley/pipeline"
)

// SubmitText makes typed text the user's next turn: it is answered like a
// spoken one (history, LLM, spoken reply), after any turn before it.
func (a *App) SubmitText(ctx context.Context, text string) error {
	return a.pipe.SubmitText(ctx, text)
}

// readLines makes each line of the typed input a turn, then lets the
// input end. It runs on its own goroutine, which Run does not wait for: a
// read from a pipe cannot be cancelled, so with a writer that never closes
// it, it lasts until the process exits (its turns then get ErrStopped).
func (a *App) readLines(ctx context.Context) {
	defer close(a.linesDone)
	err := a.pipe.SubmitLines(ctx, a.lines)
	if err != nil && !errors.Is(err, pipeline.ErrStopped) && ctx.Err() == nil {
		a.pipe.Notify("typed turns: " + err.Error())
	}
}

// heldSource is an input that does not end before the typed input has:
// its end (a file read to the end, or no microphone) waits for done, so the
// pipeline takes and answers every typed line before it stops.
type heldSource struct {
	src  pipeline.Source
	done <-chan struct{}
}

// Read implements pipeline.Source.
func (h heldSource) Read(ctx context.Context, p []float32) (int, error) {
	n, err := h.src.Read(ctx, p)
	if !errors.Is(err, io.EOF) {
		return n, err
	}
	select {
	case <-h.done:
		return n, io.EOF
	case <-ctx.Done():
		return n, ctx.Err()
	}
}

// noInput is the input of a run without a microphone or a file: typed
// turns only. It ends at once (heldSource makes it wait for them).
type noInput struct{}

// Read implements pipeline.Source.
func (noInput) Read(context.Context, []float32) (int, error) { return 0, io.EOF }
