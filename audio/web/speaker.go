package web

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/coder/websocket"
)

// Speaker plays sounds on the page, in order, with the semantics of
// audio.Speaker: Play returns at once with a handle; Flush drops everything
// (barge-in). Each sound travels at its own rate, as fast as the link takes
// it, and the page resamples it to its AudioContext's rate.
//
// While no page is connected a sound is not queued for later (a reply heard
// minutes late is worse than none): Play returns a handle already ended,
// Flushed, with Err ErrNoBrowser, and the Server's State says why.
type Speaker struct {
	srv     *Server
	next    atomic.Uint32
	dropped atomic.Uint64
	closed  atomic.Bool
}

// Play queues mono samples at rate for the page and returns at once.
func (sp *Speaker) Play(ctx context.Context, samples []float32, rate int) (*Playback, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if rate <= 0 {
		return nil, fmt.Errorf("play on the web page: rate %d Hz: %w", rate, ErrInvalidAudio)
	}
	if sp.closed.Load() {
		return nil, fmt.Errorf("play on the web page: %w", ErrClosed)
	}
	pb := newPlayback(sp.next.Add(1), len(samples), rate)
	if len(samples) == 0 {
		pb.finish(nil, Output{})
		return pb, nil
	}
	c := sp.srv.current()
	if c == nil || !c.play(pb, encodePlayback(pb.id, samples, rate)) {
		sp.dropped.Add(1)
		pb.finish(ErrNoBrowser, Output{})
	}
	return pb, nil
}

func encodePlayback(id uint32, samples []float32, rate int) []outMsg {
	pieces, flags := chunks(samples, rate)
	msgs := make([]outMsg, len(pieces))
	for i, p := range pieces {
		msgs[i] = outMsg{typ: websocket.MessageBinary, data: encodeChunk(id, rate, flags[i], p), audio: true}
	}
	return msgs
}

// Flush drops every queued sound at once: they end as flushed, what was not
// sent yet is never sent, and the page empties its jitter buffer when the
// message reaches it (one network trip).
func (sp *Speaker) Flush() {
	if c := sp.srv.current(); c != nil {
		c.flush()
	}
}

// Playing reports whether a sound sent to the page has not ended yet.
func (sp *Speaker) Playing() bool {
	c := sp.srv.current()
	return c != nil && c.playing()
}

// Dropped returns how many sounds were dropped because no page was connected.
func (sp *Speaker) Dropped() uint64 { return sp.dropped.Load() }

// Close flushes and makes later Play calls fail with ErrClosed. Closing
// twice is harmless; the Server stays up until its own Close.
func (sp *Speaker) Close() error {
	if !sp.closed.Swap(true) {
		sp.Flush()
	}
	return nil
}
