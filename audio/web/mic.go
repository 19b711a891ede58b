package web

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultBuffer is the Mic's default capacity. Why 2 s, as for audio.Mic:
// the reader (VAD, segmenter) keeps the buffer nearly empty, so the only
// backlog is a burst after a network stall or a slow stage; 2 s absorbs that
// without losing a word, and beyond it the newest samples are dropped and
// counted (Dropped) rather than letting the lag behind the user grow.
const DefaultBuffer = 2 * time.Second

// Level is the loudness of the latest capture frame.
type Level struct {
	// RMS is the root mean square amplitude, in [0, 1].
	RMS float32
	// Peak is the largest absolute sample, in [0, 1].
	Peak float32
}

// Mic is the page's microphone as a capture source: Read returns 16 kHz mono
// samples in [-1, 1] as the page sends them.
//
// While no page is connected Read delivers silence in real time instead of
// blocking: an utterance cut by a dropped connection then ends the way a
// pause would (the segmenter sees silence), and every stage keeps the same
// timing as with a real microphone. Samples that arrived before the drop are
// delivered first.
type Mic struct {
	capacity int
	ready    chan struct{} // signalled when samples arrive or the page comes or goes
	closed   chan struct{}
	once     sync.Once
	dropped  atomic.Uint64
	level    atomic.Uint64 // RMS bits << 32 | Peak bits

	readMu sync.Mutex // one reader at a time

	mu       sync.Mutex
	buf      []float32
	live     bool      // a page is connected
	silentAt time.Time // while not live: silence has been delivered up to here
}

func newMic(buffer time.Duration) *Mic {
	return &Mic{
		capacity: samplesIn(buffer),
		ready:    make(chan struct{}, 1),
		closed:   make(chan struct{}),
		silentAt: time.Now(),
	}
}

// samplesIn returns how many CaptureRate samples last d.
func samplesIn(d time.Duration) int {
	return int(d.Nanoseconds() * CaptureRate / int64(time.Second))
}

// sampleTime is the length of one CaptureRate sample (exactly 62.5 µs).
const sampleTime = time.Second / CaptureRate

// Read fills p with up to len(p) samples, blocking until at least one is
// available (page audio, or silence while no page is connected), ctx ends
// or the Mic is closed (ErrClosed).
func (m *Mic) Read(ctx context.Context, p []float32) (int, error) {
	m.readMu.Lock()
	defer m.readMu.Unlock()
	for {
		if err := m.check(ctx); err != nil {
			return 0, err
		}
		n, live := m.take(p, time.Now())
		if n > 0 || len(p) == 0 {
			return n, nil
		}
		if err := m.wait(ctx, live); err != nil {
			return 0, err
		}
	}
}

func (m *Mic) check(ctx context.Context) error {
	select {
	case <-m.closed:
		return fmt.Errorf("web microphone: %w", ErrClosed)
	default:
		return ctx.Err()
	}
}

// take copies buffered samples, or the silence due while no page is
// connected, into p.
func (m *Mic) take(p []float32, now time.Time) (int, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.buf) > 0 {
		n := copy(p, m.buf)
		m.buf = append(m.buf[:0], m.buf[n:]...)
		return n, m.live
	}
	if m.live {
		return 0, true
	}
	if lag := now.Sub(m.silentAt); lag > time.Duration(m.capacity)*sampleTime {
		m.silentAt = now.Add(-time.Duration(m.capacity) * sampleTime) // nobody read: bound the backlog
	}
	n := min(len(p), int(now.Sub(m.silentAt)/sampleTime))
	clear(p[:n])
	m.silentAt = m.silentAt.Add(time.Duration(n) * sampleTime)
	return n, false
}

// wait blocks until samples may be there: a signal, or (without a page) the
// next silence tick.
func (m *Mic) wait(ctx context.Context, live bool) error {
	var tick <-chan time.Time
	if !live {
		t := time.NewTimer(chunkLength)
		defer t.Stop()
		tick = t.C
	}
	select {
	case <-m.ready:
	case <-tick:
	case <-ctx.Done():
		return ctx.Err()
	case <-m.closed:
		return fmt.Errorf("web microphone: %w", ErrClosed)
	}
	return nil
}

// write appends a frame from the page; what does not fit is dropped.
func (m *Mic) write(samples []float32) {
	m.level.Store(packLevel(measure(samples)))
	m.mu.Lock()
	room := m.capacity - len(m.buf)
	if len(samples) > room {
		m.dropped.Add(uint64(len(samples) - room))
		samples = samples[:room]
	}
	m.buf = append(m.buf, samples...)
	m.mu.Unlock()
	m.signal()
}

// setLive records that a page is (or is no longer) connected.
func (m *Mic) setLive(live bool) {
	m.mu.Lock()
	m.live = live
	if !live {
		m.silentAt = time.Now()
		m.level.Store(0)
	}
	m.mu.Unlock()
	m.signal()
}

func (m *Mic) signal() {
	select {
	case m.ready <- struct{}{}:
	default:
	}
}

// Level returns the loudness of the latest frame from the page (zero while
// no page is connected); cheap and safe to call from the UI at any rate.
func (m *Mic) Level() Level {
	v := m.level.Load()
	return Level{RMS: math.Float32frombits(uint32(v >> 32)), Peak: math.Float32frombits(uint32(v))}
}

// Dropped returns how many samples were lost because the buffer was full.
func (m *Mic) Dropped() uint64 { return m.dropped.Load() }

// Close makes Read return ErrClosed. Closing twice is harmless; the page
// stays connected (its frames are then discarded) until the Server closes.
func (m *Mic) Close() error {
	m.once.Do(func() { close(m.closed) })
	return nil
}

func measure(samples []float32) Level {
	var peak, sum float64
	for _, s := range samples {
		peak = max(peak, math.Abs(float64(s)))
		sum += float64(s) * float64(s)
	}
	if len(samples) == 0 {
		return Level{}
	}
	return Level{RMS: float32(math.Sqrt(sum / float64(len(samples)))), Peak: float32(peak)}
}

func packLevel(l Level) uint64 {
	return uint64(math.Float32bits(l.RMS))<<32 | uint64(math.Float32bits(l.Peak))
}
