package audio

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gen2brain/malgo"

	"parley/audio/internal/ring"
)

// DefaultMicBuffer is the capture ring's default capacity. Why 2 s: the
// reader (VAD, then the segmenter) takes well under a millisecond per 32 ms
// frame, so the ring is normally nearly empty; 2 s absorbs a GC pause, a
// slow ASR hand-off or a stalled terminal without losing a word, while
// bounding both memory (128 KiB) and the worst-case lag behind real time.
// Beyond it the newest samples are dropped and counted (Mic.Dropped): a gap
// the user can see is better than latency that never recovers.
const DefaultMicBuffer = 2 * time.Second

// MicOptions choose and tune a microphone.
type MicOptions struct {
	// Device is a device id, an exact name or a unique case-insensitive
	// substring of one; "" or "default" use the backend's default.
	Device string
	// Backend is "pulseaudio", "alsa" or "null"; "" tries them in order.
	Backend string
	// Buffer is the capture ring's capacity (default DefaultMicBuffer).
	Buffer time.Duration
}

// Level is a microphone's loudness over its latest device callback.
type Level struct {
	// RMS is the root mean square amplitude, in [0, 1].
	RMS float32
	// Peak is the largest absolute sample, in [0, 1] (more when clipping).
	Peak float32
}

// Mic captures SampleRate mono float32 audio (miniaudio converts from the
// device's format) into a bounded ring. It implements Source.
type Mic struct {
	s      *stream
	ring   *ring.Ring
	level  atomic.Uint64 // RMS bits << 32 | Peak bits
	frames atomic.Uint32 // frames in the latest callback
	lost   chan struct{} // closed when the backend stops the device
	lostMu sync.Once
	clock  ring.Clock // ring write count after each callback, and when (echo alignment)

	readMu    sync.Mutex // serialises readers: the ring has one consumer
	closed    chan struct{}
	closeOnce sync.Once
}

// OpenMic opens and starts a capture device. Errors name the device and
// backend, and list the available devices when the name matches none.
func OpenMic(ctx context.Context, opts MicOptions) (*Mic, error) {
	buf := opts.Buffer
	if buf <= 0 {
		buf = DefaultMicBuffer
	}
	m := &Mic{ring: ring.New(samplesOf(buf)), lost: make(chan struct{}), closed: make(chan struct{})}
	cfg := malgo.DefaultDeviceConfig(malgo.Capture)
	cfg.Capture.Format, cfg.Capture.Channels, cfg.SampleRate = malgo.FormatF32, 1, SampleRate
	s, err := openStream(ctx, streamRequest{
		kind: malgo.Capture, what: "capture", device: opts.Device, backend: opts.Backend,
		config: cfg, data: m.onData, stop: m.onStop,
	})
	if err != nil {
		return nil, err
	}
	m.s = s
	return m, nil
}

// onData runs on miniaudio's audio thread: it reads the C buffer in place,
// copies it into the ring and stores the level; it never blocks.
func (m *Mic) onData(_, in []byte, frames uint32) {
	if len(in) < int(frames)*4 || frames == 0 {
		return
	}
	now := time.Now()
	samples := unsafe.Slice((*float32)(unsafe.Pointer(&in[0])), frames)
	m.frames.Store(frames)
	m.level.Store(packLevel(measure(samples)))
	m.ring.Write(samples)
	m.clock.Mark(m.ring.Written(), now)
}

func (m *Mic) onStop() {
	m.lostMu.Do(func() { close(m.lost) })
}

func measure(samples []float32) Level {
	var peak float32
	for _, s := range samples {
		peak = max(peak, float32(math.Abs(float64(s))))
	}
	return Level{RMS: RMS(samples), Peak: peak}
}

func packLevel(l Level) uint64 {
	return uint64(math.Float32bits(l.RMS))<<32 | uint64(math.Float32bits(l.Peak))
}

// Read implements Source: it blocks until samples are buffered, ctx is done
// or the microphone is closed or lost.
func (m *Mic) Read(ctx context.Context, p []float32) (int, error) {
	m.readMu.Lock()
	defer m.readMu.Unlock()
	for {
		if n := m.ring.Read(p); n > 0 || len(p) == 0 {
			return n, nil
		}
		select {
		case <-m.ring.Ready():
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-m.closed:
			return 0, fmt.Errorf("microphone %q: %w", m.s.info.Name, ErrClosed)
		case <-m.lost:
			return 0, m.lostErr()
		}
	}
}

// lostErr tells a Close (which also stops the device) from a real loss.
func (m *Mic) lostErr() error {
	select {
	case <-m.closed:
		return fmt.Errorf("microphone %q: %w", m.s.info.Name, ErrClosed)
	default:
		return fmt.Errorf("microphone %q: %w", m.s.info.Name, ErrDeviceLost)
	}
}

// Level returns the loudness of the latest device callback; cheap and safe
// to call from the UI at any rate.
func (m *Mic) Level() Level {
	v := m.level.Load()
	return Level{RMS: math.Float32frombits(uint32(v >> 32)), Peak: math.Float32frombits(uint32(v))}
}

// Dropped returns how many samples were lost because the ring was full.
func (m *Mic) Dropped() uint64 { return m.ring.Dropped() }

// Buffered returns how many samples wait in the ring.
func (m *Mic) Buffered() int { return m.ring.Len() }

// CallbackFrames returns the size of the latest device callback in frames
// (0 before the first), for doctor and latency reports.
func (m *Mic) CallbackFrames() int { return int(m.frames.Load()) }

// Device returns the device in use (the default device's listed name when
// none was named).
func (m *Mic) Device() DeviceInfo { return m.s.info }

// Backend returns the backend in use: "pulseaudio", "alsa" or "null".
func (m *Mic) Backend() string { return m.s.backend }

// Close implements Source: it stops the device and wakes a blocked Read.
// Closing twice is harmless.
func (m *Mic) Close() error {
	m.closeOnce.Do(func() {
		close(m.closed)
		m.s.close()
	})
	return nil
}
