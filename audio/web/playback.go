package web

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Output is what the page reported playing for one sound.
type Output struct {
	// Samples is how many samples the page output, at its context rate.
	Samples uint64
	// RMS is the root mean square of those samples (after the page's
	// resampling), so a test can tell a sound from silence.
	RMS float64
}

// Playback follows one sound queued on a Speaker, with the semantics of
// audio.Playback: Started, Wait, Done, Flushed.
type Playback struct {
	id       uint32
	duration time.Duration

	startedAt atomic.Int64 // UnixNano when the page's "started" report arrived; 0 before
	done      chan struct{}
	once      sync.Once
	err       error  // set before done closes
	out       Output // set before done closes
}

func newPlayback(id uint32, n, rate int) *Playback {
	return &Playback{
		id:       id,
		duration: time.Duration(n) * time.Second / time.Duration(rate),
		done:     make(chan struct{}),
	}
}

// markStarted records the page's report that the first sample left its
// AudioWorklet.
func (pb *Playback) markStarted(now time.Time) {
	pb.startedAt.CompareAndSwap(0, now.UnixNano())
}

// finish ends the playback once: err nil when the page played it in full.
func (pb *Playback) finish(err error, out Output) {
	pb.once.Do(func() {
		pb.err, pb.out = err, out
		close(pb.done)
	})
}

// Duration returns the sound's length.
func (pb *Playback) Duration() time.Duration { return pb.duration }

// Started returns when the page's report arrived that the first sample left
// its AudioWorklet (the equivalent of a device callback taking it; the
// report trails it by the network's one-way delay), and whether it has.
func (pb *Playback) Started() (time.Time, bool) {
	ns := pb.startedAt.Load()
	if ns == 0 {
		return time.Time{}, false
	}
	return time.Unix(0, ns), true
}

// Done is closed when the page reported the last sample played, or the
// sound was dropped (Flush, no page, page gone).
func (pb *Playback) Done() <-chan struct{} { return pb.done }

// Wait blocks until Done (nil, also when dropped) or ctx ends (its error).
func (pb *Playback) Wait(ctx context.Context) error {
	select {
	case <-pb.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Flushed reports whether the sound ended without being played in full:
// flushed (barge-in), or dropped because no page was there; Err says which.
func (pb *Playback) Flushed() bool {
	return pb.ended() && pb.err != nil
}

// Err returns, once Done, why the sound was not played in full: ErrFlushed,
// ErrNoBrowser, ErrDisconnected or ErrStalled; nil when it was (or before
// Done).
func (pb *Playback) Err() error {
	if !pb.ended() {
		return nil
	}
	return pb.err
}

// Output returns what the page reported playing; zero unless played in full.
func (pb *Playback) Output() Output {
	if !pb.ended() {
		return Output{}
	}
	return pb.out
}

// ended reports whether Done is closed (err and out are then final).
func (pb *Playback) ended() bool {
	select {
	case <-pb.done:
		return true
	default:
		return false
	}
}
