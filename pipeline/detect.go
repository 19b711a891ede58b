package pipeline

import (
	"context"
	"fmt"
	"slices"

	"parley/pipeline/turn"
)

// decisionResult is one detector answer.
type decisionResult struct {
	d   turn.Decision
	err error
}

// input is what the detector sees now.
func (l *listener) input() turn.Input {
	ps := &l.pause
	return turn.Input{Transcript: ps.u.text, Audio: ps.audio, Probs: ps.probs, Silence: ps.silence}
}

// askDetector decides at once with a cheap detector; a costly one (Once)
// runs in its own goroutine, on copies of its input, while the listener
// goes on.
func (l *listener) askDetector(ctx context.Context) {
	det := l.p.opts.Turn
	if !det.Once() {
		d, err := det.Decide(ctx, l.input())
		l.setDecision(decisionResult{d, err})
		return
	}
	in := l.input()
	in.Audio = slices.Clone(in.Audio[max(0, len(in.Audio)-8*SampleRate):])
	in.Probs = slices.Clone(in.Probs)
	ch := make(chan decisionResult, 1)
	l.pause.pending = ch
	go func() {
		d, err := det.Decide(ctx, in)
		ch <- decisionResult{d, err}
	}()
}

// setDecision takes a detector's answer; after an error only the
// segmenter's end ends the turn.
func (l *listener) setDecision(r decisionResult) {
	if r.err != nil {
		l.p.emitError(l.turn, fmt.Errorf("turn detector %s: %w", l.p.opts.Turn.Name(), r.err))
		return
	}
	l.pause.decision, l.pause.decided = r.d, true
}
