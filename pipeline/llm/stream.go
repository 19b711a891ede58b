package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"
)

// streamReply delivers a streamed completion's deltas. It implements Reply.
//
// Why a goroutine: the HTTP stream blocks in Read and knows only the
// request's context, while Next must also give up on its own ctx, on the
// timeout between tokens, and on Close. So run owns the stream and hands
// each delta over an unbuffered channel; Close cancels the request and
// waits for run to return, so no goroutine outlives a closed reply.
type streamReply struct {
	events   chan streamEvent
	done     chan struct{} // closed when run returns
	closing  chan struct{} // closed by Close
	cancel   context.CancelFunc
	timeout  time.Duration
	classify func(error) error // wraps errors with the server and model

	closeOnce sync.Once
	mu        sync.Mutex // guards first and end
	first     string     // the first delta, kept by awaitFirst for Next
	end       error      // io.EOF or the error that ended the stream
}

// streamEvent is one delta, or the end of the stream (err set).
type streamEvent struct {
	text string
	err  error
}

// opener starts the streamed request on ctx, with extra request options.
type opener func(ctx context.Context, opts ...option.RequestOption) *ssestream.Stream[openai.ChatCompletionChunk]

func newStreamReply(cancel context.CancelFunc, timeout time.Duration, classify func(error) error) *streamReply {
	return &streamReply{
		events:   make(chan streamEvent),
		done:     make(chan struct{}),
		closing:  make(chan struct{}),
		cancel:   cancel,
		timeout:  timeout,
		classify: classify,
	}
}

// run reads the stream until it ends or ctx is cancelled. A stream that
// ends without the end marker and without a finish reason was cut short by
// the server: its end is ErrEndedEarly, not io.EOF.
func (r *streamReply) run(ctx context.Context, open opener) {
	defer close(r.done)
	var done doneWatcher
	s := open(ctx, done.middleware())
	defer s.Close()
	finished := false
	for s.Next() {
		c := s.Current()
		finished = finished || finishReason(c) != ""
		text := deltaText(c)
		if text != "" && !r.send(ctx, streamEvent{text: text}) {
			return
		}
	}
	var end error = io.EOF
	switch err := s.Err(); {
	case err != nil:
		end = r.classify(err)
	case !finished && !done.seen.Load():
		end = r.classify(ErrEndedEarly)
	}
	r.send(ctx, streamEvent{err: end})
}

func (r *streamReply) send(ctx context.Context, ev streamEvent) bool {
	select {
	case r.events <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}

// deltaText returns a chunk's text; role-only, final and usage chunks
// have none.
func deltaText(c openai.ChatCompletionChunk) string {
	if len(c.Choices) == 0 {
		return ""
	}
	return c.Choices[0].Delta.Content
}

// finishReason returns why the server ended the reply ("stop", "length",
// ...), sent with the last chunk; "" on the others.
func finishReason(c openai.ChatCompletionChunk) string {
	if len(c.Choices) == 0 {
		return ""
	}
	return c.Choices[0].FinishReason
}

// awaitFirst waits for the first delta; an empty reply is not an error.
func (r *streamReply) awaitFirst(ctx context.Context) error {
	text, err := r.receive(ctx)
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.first = text
	r.mu.Unlock()
	return nil
}

// Next implements Reply.
func (r *streamReply) Next(ctx context.Context) (string, error) {
	if r.isClosed() {
		return "", r.classify(ErrReplyClosed)
	}
	r.mu.Lock()
	first, end := r.first, r.end
	r.first = ""
	r.mu.Unlock()
	if first != "" {
		return first, nil
	}
	if end != nil {
		return "", end
	}
	return r.receive(ctx)
}

// receive waits for the next event. The end of the stream and a timeout
// are sticky: later calls return them again.
func (r *streamReply) receive(ctx context.Context) (string, error) {
	t := time.NewTimer(r.timeout)
	defer t.Stop()
	select {
	case ev := <-r.events:
		if ev.err != nil {
			r.setEnd(ev.err)
		}
		return ev.text, ev.err
	case <-ctx.Done():
		return "", r.classify(ctx.Err())
	case <-r.closing:
		return "", r.classify(ErrReplyClosed)
	case <-t.C:
		err := r.classify(fmt.Errorf("%w (%s)", ErrTimeout, r.timeout))
		r.setEnd(err)
		r.cancel()
		return "", err
	}
}

func (r *streamReply) setEnd(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.end == nil {
		r.end = err
	}
}

func (r *streamReply) isClosed() bool {
	select {
	case <-r.closing:
		return true
	default:
		return false
	}
}

// Close implements Reply. It stops the request and waits for the reader.
func (r *streamReply) Close() error {
	r.closeOnce.Do(func() {
		close(r.closing)
		r.cancel()
		<-r.done
	})
	return nil
}
