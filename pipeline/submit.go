package pipeline

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
)

// inbox guards the utterance queue: typed turns arrive from other
// goroutines (the UI, a stdin reader) and must never be sent after the
// listener has closed the queue.
type inbox struct {
	once   sync.Once
	done   chan struct{} // closed first, so blocked senders give up
	mu     sync.RWMutex
	closed bool
}

// stopping returns the channel closed when the queue is about to close.
func (b *inbox) stopping() chan struct{} {
	b.once.Do(func() { b.done = make(chan struct{}) })
	return b.done
}

// closeUtterances ends the utterance queue once the listener is done:
// senders waiting for room give up first, then the queue closes.
func (p *Pipeline) closeUtterances() {
	close(p.inbox.stopping())
	p.inbox.mu.Lock()
	defer p.inbox.mu.Unlock()
	p.inbox.closed = true
	close(p.utterances)
}

// SubmitText makes text the user's next turn, as if it had been heard: it
// gets a new TurnID and goes through the same history, LLM and speech as a
// spoken one (KindHeard, the reply, KindSaid). Turns are answered in
// order, so a typed turn waits while parley answers an earlier one. It
// returns once the turn is queued, ErrEmptyText for blank text, and
// ErrStopped once the pipeline no longer takes turns.
func (p *Pipeline) SubmitText(ctx context.Context, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return fmt.Errorf("typed turn: %w", ErrEmptyText)
	}
	p.inbox.mu.RLock()
	defer p.inbox.mu.RUnlock()
	if p.inbox.closed {
		return fmt.Errorf("typed turn: %w", ErrStopped)
	}
	now := p.opts.Now()
	u := utterance{turn: TurnID(p.turn.Add(1)), text: text, speechEnd: now, finalAt: now}
	select {
	case p.utterances <- u:
		return nil
	case <-p.inbox.stopping():
		return fmt.Errorf("typed turn: %w", ErrStopped)
	case <-ctx.Done():
		return fmt.Errorf("typed turn: %w", ctx.Err())
	}
}

// SubmitLines makes each non-blank line of r a typed turn (headless mode
// with a pipe on stdin). It returns nil at the end of r, or the first
// error of reading or submitting.
func (p *Pipeline) SubmitLines(ctx context.Context, r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		if err := p.SubmitText(ctx, sc.Text()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read typed turns: %w", err)
	}
	return nil
}
