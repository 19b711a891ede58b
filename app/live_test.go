package app

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"parley/pipeline"
)

// constSource fills every read with one value; a read blocks until the
// test lets it go when gate is set.
type constSource struct {
	v     float32
	gate  chan struct{}
	reads atomic.Int64
}

func (s *constSource) Read(ctx context.Context, p []float32) (int, error) {
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	s.reads.Add(1)
	for i := range p {
		p[i] = s.v
	}
	return len(p), nil
}

// TestLiveSourceSwapsBetweenReads: a switch waits for the read in
// progress, which finishes on the old input; the next read is the new
// input's. A switch that cannot get its turn in time gives up.
func TestLiveSourceSwapsBetweenReads(t *testing.T) {
	ctx := context.Background()
	old := &constSource{v: 1, gate: make(chan struct{})}
	s := newLiveSource(old)
	got := make(chan float32, 1)
	go func() {
		buf := make([]float32, 4)
		_, _ = s.Read(ctx, buf)
		got <- buf[0]
	}()
	for len(s.token) != 0 { // until the reader holds the input
		time.Sleep(time.Millisecond)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := s.replace(short, &constSource{v: 3}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("switch during a read that never ends: %v, want a timeout", err)
	}
	switched := make(chan error, 1)
	go func() { switched <- s.replace(ctx, &constSource{v: 2}) }()
	old.gate <- struct{}{}
	if v := <-got; v != 1 {
		t.Fatalf("read in progress gave %v, want the old input's 1", v)
	}
	if err := <-switched; err != nil {
		t.Fatal(err)
	}
	buf := make([]float32, 4)
	if _, err := s.Read(ctx, buf); err != nil || buf[0] != 2 {
		t.Fatalf("read after the switch: %v %v, want the new input's 2", buf[0], err)
	}
}

// TestHeldSourceWaitsForTypedLines: the input's end waits until the typed
// lines are all queued.
func TestHeldSourceWaitsForTypedLines(t *testing.T) {
	done := make(chan struct{})
	h := heldSource{src: noInput{}, done: done}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := h.Read(ctx, make([]float32, 4)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("end before the lines: %v, want to wait", err)
	}
	close(done)
	if _, err := h.Read(context.Background(), make([]float32, 4)); err == nil || err.Error() != "EOF" {
		t.Fatalf("end after the lines: %v, want io.EOF", err)
	}
}

type namedPlayer struct {
	pipeline.Player
	name string
	n    *[]string
}

func (p namedPlayer) Play(context.Context, []float32, int) (pipeline.Playback, error) {
	*p.n = append(*p.n, p.name)
	return nil, nil
}

func TestLivePlayerPlaysOnTheNewSpeaker(t *testing.T) {
	var played []string
	l := &livePlayer{p: namedPlayer{name: "old", n: &played}}
	_, _ = l.Play(context.Background(), nil, 16000)
	l.replace(namedPlayer{name: "new", n: &played})
	_, _ = l.Play(context.Background(), nil, 16000)
	if len(played) != 2 || played[0] != "old" || played[1] != "new" {
		t.Fatalf("played on %v", played)
	}
}

// TestLivePlayerReportsTheAudioPathsPlayback: the pipeline's
// device_latency comes from the live player, which reports what the audio
// path adds on the way out (the pane's "out"), 0 while unknown.
func TestLivePlayerReportsTheAudioPathsPlayback(t *testing.T) {
	var p pipeline.Player = &livePlayer{}
	d, ok := p.(interface{ Latency() time.Duration })
	if !ok || d.Latency() != 0 {
		t.Fatalf("live player without a latency source: reporter %v", ok)
	}
	l := &livePlayer{latency: func() time.Duration { return 19 * time.Millisecond }}
	if got := l.Latency(); got != 19*time.Millisecond {
		t.Errorf("Latency() = %v, want 19ms", got)
	}
}
