package ring

import (
	"sync"
	"testing"
	"time"
)

func TestRingOverflowCountsDrops(t *testing.T) {
	r := New(10)
	if n := r.Write(make([]float32, 7)); n != 7 {
		t.Fatalf("first write stored %d, want 7", n)
	}
	done := make(chan int)
	go func() { done <- r.Write([]float32{1, 2, 3, 4, 5, 6}) }() // must not block
	select {
	case n := <-done:
		if n != 3 {
			t.Fatalf("second write stored %d, want 3", n)
		}
	case <-time.After(time.Second):
		t.Fatal("Write blocked on a full ring")
	}
	if d := r.Dropped(); d != 3 {
		t.Fatalf("dropped %d, want 3", d)
	}
	p := make([]float32, 20)
	if n := r.Read(p); n != 10 || p[7] != 1 || p[9] != 3 {
		t.Fatalf("read %d samples %v", n, p[:n])
	}
	if n := r.Read(p); n != 0 {
		t.Fatalf("empty ring read %d", n)
	}
}

func TestRingWrapsAndKeepsOrder(t *testing.T) {
	r := New(7)
	next, want := float32(0), float32(0)
	p := make([]float32, 5)
	for range 50 {
		chunk := []float32{next, next + 1, next + 2}
		next += float32(r.Write(chunk))
		for _, v := range p[:r.Read(p)] {
			if v != want {
				t.Fatalf("read %v, want %v", v, want)
			}
			want++
		}
	}
	if r.Dropped() != 0 {
		t.Fatalf("dropped %d", r.Dropped())
	}
}

// TestRingConcurrent runs a producer and a consumer at once under -race.
func TestRingConcurrent(t *testing.T) {
	r := New(256)
	const total = 200000
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		chunk := make([]float32, 100)
		for i := 0; i < total; i += len(chunk) {
			for j := range chunk {
				chunk[j] = float32(i + j)
			}
			r.Write(chunk)
		}
	}()
	got, last := 0, float32(-1)
	p := make([]float32, 64)
	deadline := time.After(10 * time.Second)
	for got+int(r.Dropped()) < total {
		n := r.Read(p)
		for _, v := range p[:n] {
			if v <= last {
				t.Fatalf("out of order: %v after %v", v, last)
			}
			last = v
		}
		got += n
		if n == 0 {
			select {
			case <-r.ready:
			case <-deadline:
				t.Fatalf("stuck: got %d dropped %d", got, r.Dropped())
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	wg.Wait()
	if got+int(r.Dropped()) != total {
		t.Fatalf("got %d + dropped %d != %d", got, r.Dropped(), total)
	}
}
