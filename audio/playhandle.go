package audio

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// Playback follows one sound queued on a Speaker.
type Playback struct {
	samples  []float32 // at the device rate; read only by the callback
	pos      int       // guarded by the Speaker's mutex
	duration time.Duration

	startedAt atomic.Int64 // UnixNano of the first sample's hand-off; 0 before
	started   chan struct{}
	done      chan struct{}
	flushed   atomic.Bool
	ended     bool // guarded by the Speaker's mutex
}

func newPlayback(samples []float32, rate int) *Playback {
	return &Playback{
		samples:  samples,
		duration: time.Duration(len(samples)) * time.Second / time.Duration(rate),
		started:  make(chan struct{}),
		done:     make(chan struct{}),
	}
}

// markStarted records the first hand-off; called with the Speaker's mutex.
func (pb *Playback) markStarted(now time.Time) {
	if pb.pos == 0 && pb.startedAt.Load() == 0 {
		pb.startedAt.Store(now.UnixNano())
		close(pb.started)
	}
}

// finish ends the playback once; called with the Speaker's mutex.
func (pb *Playback) finish(flushed bool) {
	if pb.ended {
		return
	}
	pb.ended = true
	pb.flushed.Store(flushed)
	close(pb.done)
}

// Duration returns the sound's length.
func (pb *Playback) Duration() time.Duration { return pb.duration }

// Started returns when the first sample was handed to the device (in the
// device callback, so it precedes the sound leaving the speaker by the device
// buffer's latency), and whether that has happened.
func (pb *Playback) Started() (time.Time, bool) {
	ns := pb.startedAt.Load()
	if ns == 0 {
		return time.Time{}, false
	}
	return time.Unix(0, ns), true
}

// WaitStarted blocks until the first sample reaches the device and returns
// its time; ErrFlushed when the sound was flushed (or empty) before that.
func (pb *Playback) WaitStarted(ctx context.Context) (time.Time, error) {
	select {
	case <-pb.started:
		t, _ := pb.Started()
		return t, nil
	case <-pb.done:
		if t, ok := pb.Started(); ok {
			return t, nil
		}
		return time.Time{}, fmt.Errorf("wait for first sample: %w", ErrFlushed)
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	}
}

// Done is closed when the last sample has been handed to the device or the
// playback was flushed.
func (pb *Playback) Done() <-chan struct{} { return pb.done }

// Wait blocks until Done (nil, also when flushed) or ctx ends (its error).
func (pb *Playback) Wait(ctx context.Context) error {
	select {
	case <-pb.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Flushed reports whether Flush dropped the playback before it ended.
func (pb *Playback) Flushed() bool { return pb.flushed.Load() }
