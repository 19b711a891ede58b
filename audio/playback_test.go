package audio

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"parley/internal/testenv"
)

func openTestSpeaker(t *testing.T) *Speaker {
	t.Helper()
	testenv.Pulse(t)
	sp, err := OpenSpeaker(testCtx(t), SpeakerOptions{Device: "spk"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sp.Close() })
	return sp
}

// TestSpeakerPlaysChirp plays a 22.05 kHz chirp (resampled to the sink's
// 16 kHz) and records spk.monitor: the whole sweep must be heard, at its
// true frequencies (a wrong rate conversion would shift them).
func TestSpeakerPlaysChirp(t *testing.T) {
	sp := openTestSpeaker(t)
	rec := startRecorder(t)
	ctx := testCtx(t)
	before := rec.len()
	queued := time.Now()
	pb, err := sp.Play(ctx, chirp(22050, time.Second, 200, 0.5), 22050)
	if err != nil {
		t.Fatal(err)
	}
	started, err := pb.WaitStarted(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !sp.Playing() {
		t.Error("Playing() false while a sound plays")
	}
	if err := sp.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	times := chirpTimes(rec.stop()[before:], 200)
	t.Logf("Play -> first sample handed to the device %v; %d-frame callbacks at %d Hz; %d loud 20 ms blocks",
		started.Sub(queued), sp.CallbackFrames(), sp.SampleRate(), len(times))
	if len(times) < 45 {
		t.Fatalf("heard %d loud 20 ms blocks, want the 50 of a 1 s sound", len(times))
	}
	lo, hi := slices.Min(times), slices.Max(times)
	if lo > 60*time.Millisecond || hi < 940*time.Millisecond || hi > 1060*time.Millisecond {
		t.Errorf("heard the chirp from %v to %v, want 0 to 1 s", lo, hi)
	}
	if sp.Playing() || pb.Flushed() {
		t.Errorf("after Drain: Playing %v, Flushed %v", sp.Playing(), pb.Flushed())
	}
}

// TestSpeakerFlush starts a long chirp and flushes it after 300 ms: nothing
// later than a device buffer or two past that point may be heard.
func TestSpeakerFlush(t *testing.T) {
	sp := openTestSpeaker(t)
	rec := startRecorder(t)
	ctx := testCtx(t)
	before := rec.len()
	queued := time.Now()
	pb, err := sp.Play(ctx, chirp(SampleRate, 2*time.Second, 3000, 0.5), SampleRate)
	if err != nil {
		t.Fatal(err)
	}
	queuedNext, err := sp.Play(ctx, chirp(SampleRate, time.Second, 3000, 0.5), SampleRate)
	if err != nil {
		t.Fatal(err)
	}
	started, err := pb.WaitStarted(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Play (16 kHz, no resampling) -> first sample handed to the device %v", started.Sub(queued))
	time.Sleep(300*time.Millisecond - time.Since(started))
	sp.Flush()
	at := time.Since(started)
	select {
	case <-pb.Done():
	default:
		t.Fatal("Done not closed by Flush")
	}
	if _, err := queuedNext.WaitStarted(ctx); !errors.Is(err, ErrFlushed) {
		t.Fatalf("queued sound: WaitStarted err = %v, want ErrFlushed", err)
	}
	time.Sleep(500 * time.Millisecond)
	times := chirpTimes(rec.stop()[before:], 3000)
	if len(times) == 0 {
		t.Fatal("heard nothing")
	}
	last := slices.Max(times)
	t.Logf("flushed %v after the first sample; the last moment heard was %v", at, last)
	if last < 100*time.Millisecond || last > at+120*time.Millisecond {
		t.Errorf("heard up to %v of the sound after flushing at %v", last, at)
	}
	if !pb.Flushed() || !queuedNext.Flushed() || sp.Playing() {
		t.Errorf("Flushed %v/%v, Playing %v", pb.Flushed(), queuedNext.Flushed(), sp.Playing())
	}
}

func TestSpeakerQueueAndClose(t *testing.T) {
	sp, err := OpenSpeaker(testCtx(t), SpeakerOptions{Backend: "null", SampleRate: 48000})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	if sp.SampleRate() != 48000 {
		t.Fatalf("rate %d", sp.SampleRate())
	}
	a, err := sp.Play(ctx, make([]float32, 1600), SampleRate) // 100 ms
	if err != nil {
		t.Fatal(err)
	}
	b, err := sp.Play(ctx, make([]float32, 800), 8000) // 100 ms
	if err != nil {
		t.Fatal(err)
	}
	if b.Duration() != 100*time.Millisecond {
		t.Fatalf("duration %v", b.Duration())
	}
	start := time.Now()
	if err := b.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	ta, _ := a.Started()
	tb, _ := b.Started()
	if !tb.After(ta) || time.Since(start) > time.Second {
		t.Fatalf("second started %v after the first; waited %v", tb.Sub(ta), time.Since(start))
	}
	empty, err := sp.Play(ctx, nil, SampleRate)
	if err != nil || empty.Wait(ctx) != nil {
		t.Fatalf("empty sound: %v", err)
	}
	if _, err := sp.Play(ctx, []float32{0}, 0); !errors.Is(err, ErrInvalidAudio) {
		t.Fatalf("rate 0: err = %v", err)
	}
	sp.Close()
	if _, err := sp.Play(ctx, []float32{0}, SampleRate); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: err = %v", err)
	}
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := OpenSpeaker(cctx, SpeakerOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled open: err = %v", err)
	}
}
