package echo

import (
	"context"
	"sync"
	"testing"
	"time"

	"parley/audio"
	"parley/audio/internal/ring"
)

// slowSpeakerRoom is a microphone and a speaker on the wall clock: both
// kept real time for a while, then the speaker slowed to a quarter of real
// time (small device buffers over a slow network refill slower than they
// play) while the reader fell behind the microphone by lag.
type slowSpeakerRoom struct {
	ref      *EchoReference
	captured int // samples the microphone has delivered by now
	pos      int
	clock    ring.Clock
}

const (
	slowPeriod = 320 // 20 ms callbacks, both devices
	slowSync   = audio.SampleRate
	slowLag    = audio.SampleRate / 2
)

func slowPeriodTime(n int) time.Duration {
	return time.Duration(n) * time.Second / audio.SampleRate
}

// newSlowSpeakerRoom returns a room whose microphone has delivered
// slowSync+slowLag samples by now.
func newSlowSpeakerRoom() *slowSpeakerRoom {
	r := &slowSpeakerRoom{ref: NewEchoReference(EchoReferenceOptions{}), captured: slowSync + slowLag}
	r.ref.Attach(audio.SampleRate)
	return r
}

// Read implements Source: the first slowSync samples come callback by
// callback with the speaker's, as a reader that keeps up sees them; the
// backlog then comes at once.
func (r *slowSpeakerRoom) Read(_ context.Context, p []float32) (int, error) {
	n := min(len(p), slowPeriod, r.captured-r.pos)
	clear(p[:n])
	r.pos += n
	return n, nil
}

func (r *slowSpeakerRoom) Close() error { return nil }

func (r *slowSpeakerRoom) CaptureMark() (uint64, int64, bool) { return r.clock.Read() }

func (r *slowSpeakerRoom) NextIndex() uint64 { return uint64(r.pos) }

// TestReaderBehindNeverWaitsForASlowSpeaker: the echo canceller may wait a
// moment for a playback callback that is due, but never while the reader
// is behind the microphone: with the speaker slower than real time every
// frame would find its reference late, and waiting for each held capture
// to the speaker's pace (about 0.4x real time over SSH at a 100 ms round
// trip with small buffers).
func TestReaderBehindNeverWaitsForASlowSpeaker(t *testing.T) {
	now := time.Now()
	t0 := now.Add(-slowPeriodTime(slowSync + slowLag))
	room := newSlowSpeakerRoom()
	src := cancelledSource(t, room, room.ref, EchoOptions{})
	ctx := context.Background()
	p := make([]float32, slowPeriod)
	tone := make([]float32, slowPeriod)
	for i := range tone {
		tone[i] = 0.1
	}
	// In step: speaker and microphone hand a period each, on time.
	for k := 0; k < slowSync/slowPeriod; k++ {
		at := t0.Add(slowPeriodTime((k + 1) * slowPeriod))
		room.ref.Push(tone, at)
		room.clock.Mark(uint64((k+1)*slowPeriod), at)
		if _, err := src.Read(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	// Then the speaker at a quarter of real time up to now, and on while
	// the reader catches up.
	slowFrom := t0.Add(slowPeriodTime(slowSync))
	for at := slowFrom.Add(4 * slowPeriodTime(slowPeriod)); !at.After(now); at = at.Add(4 * slowPeriodTime(slowPeriod)) {
		room.ref.Push(tone, at)
	}
	room.clock.Mark(uint64(room.captured), now)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(4 * slowPeriodTime(slowPeriod))
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case at := <-tick.C:
				room.ref.Push(tone, at)
			}
		}
	}()
	if !src.ref.synced || src.Stats().Missing != 0 {
		t.Fatalf("not aligned before the speaker slowed: %+v", src.Stats())
	}
	for room.pos < room.captured {
		if _, err := src.Read(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	st := src.Stats()
	t.Logf("stats %+v", st)
	if st.Waited > 2*echoMaxWait {
		t.Errorf("reading %v of backlog waited %v for the reference; only frames younger than %v may wait", slowPeriodTime(slowLag), st.Waited, echoMaxWait)
	}
}

// cancelledSource is NewEchoCancelledSource with a new canceller of opts,
// closed when the test ends.
func cancelledSource(t testing.TB, in audio.Source, ref *EchoReference, opts EchoOptions) *EchoCancelledSource {
	t.Helper()
	aec, err := NewEchoCanceller(opts)
	if err != nil {
		t.Fatal(err)
	}
	src, err := NewEchoCancelledSource(in, ref, aec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src
}
