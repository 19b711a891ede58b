package gpu

import (
	"context"
	"errors"
	"testing"
	"time"
)

// waitQueued waits until n runs wait for GPU gpu.
func waitQueued(t *testing.T, s *Scheduler, gpu, n int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		got := len(s.queue(gpu).waiting)
		s.mu.Unlock()
		if got == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("%d runs never queued", n)
}

func TestSchedulerPriority(t *testing.T) {
	s := NewScheduler()
	ctx := context.Background()
	release, err := s.Acquire(ctx, 0, 1) // a long TTS run holds the GPU
	if err != nil {
		t.Fatal(err)
	}
	order := make(chan string, 4)
	enqueue := func(name string, prio int) {
		go func() {
			rel, err := s.Acquire(ctx, 0, prio)
			if err != nil {
				t.Error(err)
				return
			}
			order <- name
			rel()
		}()
	}
	enqueue("tts-2", 1)
	waitQueued(t, s, 0, 1)
	enqueue("tts-3", 1)
	waitQueued(t, s, 0, 2)
	enqueue("asr", 2)
	waitQueued(t, s, 0, 3)
	release()
	want := []string{"asr", "tts-2", "tts-3"}
	for i, w := range want {
		if got := <-order; got != w {
			t.Fatalf("run %d = %s, want %s (order %v)", i, got, w, want)
		}
	}
}

func TestSchedulerCancelAndGPUs(t *testing.T) {
	s := NewScheduler()
	release, err := s.Acquire(context.Background(), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.Acquire(context.Background(), 1, 1) // another GPU is independent
	if err != nil {
		t.Fatal(err)
	}
	other()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := s.Acquire(ctx, 0, 2); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	release()
	again, err := s.Acquire(context.Background(), 0, 1)
	if err != nil {
		t.Fatalf("gpu not free after the cancelled waiter left: %v", err)
	}
	again()
}
