package gpu

import (
	"context"
	"fmt"
	"sync"
)

// Scheduler interleaves the runs of different models on each GPU
// (gpu.interleave). Each GPU runs one scheduled run at a time; when it ends,
// the highest-priority waiting run goes next, first come first served within
// a priority. Runs are never preempted, so a long TTS run delays an ASR run
// that arrives during it by at most that one run, and ASR (priority 2) then
// goes before any TTS (priority 1) still waiting. Serialising is cheap here:
// ORT queues a session's kernels on one CUDA stream anyway, and what matters
// for latency is that the waiting user's ASR is never stuck behind a queue
// of TTS sentences.
type Scheduler struct {
	mu   sync.Mutex
	gpus map[int]*gpuQueue
	seq  uint64
}

// gpuQueue is one GPU's state; guarded by Scheduler.mu.
type gpuQueue struct {
	busy    bool
	waiting []*waiter
}

// waiter is a run waiting for its GPU.
type waiter struct {
	priority int
	seq      uint64
	ready    chan struct{}
	granted  bool
}

// NewScheduler returns a scheduler with every GPU idle.
func NewScheduler() *Scheduler {
	return &Scheduler{gpus: make(map[int]*gpuQueue)}
}

// Acquire waits until a run of the given priority may use GPU index gpu and
// returns the function that ends it (call it exactly once). It returns
// ctx's error, having given up its place, if ctx ends first.
func (s *Scheduler) Acquire(ctx context.Context, gpu, priority int) (func(), error) {
	s.mu.Lock()
	q := s.queue(gpu)
	if !q.busy {
		q.busy = true
		s.mu.Unlock()
		return func() { s.release(q) }, nil
	}
	s.seq++
	w := &waiter{priority: priority, seq: s.seq, ready: make(chan struct{})}
	q.waiting = append(q.waiting, w)
	s.mu.Unlock()
	select {
	case <-w.ready:
		return func() { s.release(q) }, nil
	case <-ctx.Done():
		s.abandon(q, w)
		return nil, fmt.Errorf("wait for gpu %d: %w", gpu, ctx.Err())
	}
}

// queue returns GPU gpu's queue; s.mu must be held.
func (s *Scheduler) queue(gpu int) *gpuQueue {
	q, ok := s.gpus[gpu]
	if !ok {
		q = &gpuQueue{}
		s.gpus[gpu] = q
	}
	return q
}

// release ends a run and hands the GPU to the best waiter, if any.
func (s *Scheduler) release(q *gpuQueue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(q.waiting) == 0 {
		q.busy = false
		return
	}
	w := q.popBest()
	w.granted = true
	close(w.ready)
}

// abandon removes a waiter whose context ended; if it had just been handed
// the GPU, the GPU goes on to the next waiter instead.
func (s *Scheduler) abandon(q *gpuQueue, w *waiter) {
	s.mu.Lock()
	granted := w.granted
	if !granted {
		q.remove(w)
	}
	s.mu.Unlock()
	if granted {
		s.release(q)
	}
}

// popBest removes and returns the highest-priority, earliest waiter.
func (q *gpuQueue) popBest() *waiter {
	best := 0
	for i, w := range q.waiting[1:] {
		b := q.waiting[best]
		if w.priority > b.priority || (w.priority == b.priority && w.seq < b.seq) {
			best = i + 1
		}
	}
	w := q.waiting[best]
	q.waiting = append(q.waiting[:best], q.waiting[best+1:]...)
	return w
}

// remove deletes w from the waiting list.
func (q *gpuQueue) remove(w *waiter) {
	for i, x := range q.waiting {
		if x == w {
			q.waiting = append(q.waiting[:i], q.waiting[i+1:]...)
			return
		}
	}
}
