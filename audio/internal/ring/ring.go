// Package ring holds the real-time plumbing of audio's device callbacks:
// a lock-free single-producer single-consumer sample buffer and a clock
// that ties a sample count to the wall clock. The capture ring, the echo
// reference and the echo canceller share them.
package ring

import "sync/atomic"

// Ring is a bounded single-producer single-consumer sample buffer. The
// producer (a device callback) never blocks and never takes a lock: samples
// that do not fit are dropped and counted, so the newest audio is lost when
// the consumer falls behind by more than the capacity. The consumer side is
// serialised by its owner (a Mic holds a mutex around reads).
//
// Why lock-free: the capture callback runs on miniaudio's audio thread; any
// wait there (even a mutex held by a reader that was preempted) turns into
// an overrun inside PulseAudio and a gap that no counter would show.
type Ring struct {
	buf     []float32
	read    atomic.Uint64 // total samples consumed
	write   atomic.Uint64 // total samples produced
	dropped atomic.Uint64
	// ready gets a token (never blocking) after each write, waking a reader.
	ready chan struct{}
}

// New returns an empty ring of capacity samples.
func New(capacity int) *Ring {
	return &Ring{buf: make([]float32, capacity), ready: make(chan struct{}, 1)}
}

// Write copies as much of p as fits, counts the rest as dropped and returns
// the number of samples stored. It never blocks.
func (r *Ring) Write(p []float32) int {
	w, rd := r.write.Load(), r.read.Load()
	free := len(r.buf) - int(w-rd)
	n := min(free, len(p))
	r.copyIn(w, p[:n])
	r.write.Store(w + uint64(n))
	if n < len(p) {
		r.dropped.Add(uint64(len(p) - n))
	}
	select {
	case r.ready <- struct{}{}:
	default:
	}
	return n
}

func (r *Ring) copyIn(w uint64, p []float32) {
	at := int(w % uint64(len(r.buf)))
	k := copy(r.buf[at:], p)
	copy(r.buf, p[k:])
}

// Read copies up to len(p) buffered samples into p and returns the count; 0
// when the ring is empty.
func (r *Ring) Read(p []float32) int {
	rd, w := r.read.Load(), r.write.Load()
	n := min(int(w-rd), len(p))
	at := int(rd % uint64(len(r.buf)))
	k := copy(p[:n], r.buf[at:])
	copy(p[k:n], r.buf)
	r.read.Store(rd + uint64(n))
	return n
}

// Len returns the number of buffered samples.
func (r *Ring) Len() int { return int(r.write.Load() - r.read.Load()) }

// Dropped returns how many samples did not fit since creation.
func (r *Ring) Dropped() uint64 { return r.dropped.Load() }

// Written returns how many samples were stored since creation.
func (r *Ring) Written() uint64 { return r.write.Load() }

// Consumed returns how many samples were read since creation.
func (r *Ring) Consumed() uint64 { return r.read.Load() }

// Ready receives a token after writes, to wake a reader waiting for data.
func (r *Ring) Ready() <-chan struct{} { return r.ready }
