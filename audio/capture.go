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
	// Backend is "pulseaudio", "alsa" or "null"; "" tries PulseAudio, then
	// ALSA (PulseAudio alone when PULSE_SERVER is set).
	Backend string
	// Buffer is the capture ring's capacity (default DefaultMicBuffer).
	Buffer time.Duration
	// Latency sizes the device buffer (zero: auto, see Latency).
	Latency Latency
	// Resilience says what happens when the audio server goes away.
	Resilience Resilience
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
//
// When its audio server goes away (killed, stalled, or a device unplugged)
// the loss is noticed within 2 s. Without Resilience.Reconnect, Read then
// returns an error wrapping ErrDeviceLost that names the server. With it,
// the Mic reopens the device with backoff and meanwhile Read returns
// silence in real time: the pipeline keeps running, an utterance in
// progress ends, and the ring's sample count (the echo canceller's capture
// clock) goes on without a jump.
type Mic struct {
	link   *link
	ring   *ring.Ring
	level  atomic.Uint64 // RMS bits << 32 | Peak bits
	frames atomic.Uint32 // frames in the latest callback
	lost   chan struct{} // closed at a loss without Reconnect
	clock  ring.Clock    // ring write count after each callback, and when (echo alignment)

	readMu    sync.Mutex // serialises readers: the ring has one consumer
	closed    chan struct{}
	closeOnce sync.Once
}

// OpenMic opens and starts a capture device. Errors name the device and
// backend, list the available devices when the name matches none, and say
// what was tried and the fix when no backend works.
func OpenMic(ctx context.Context, opts MicOptions) (*Mic, error) {
	buf := opts.Buffer
	if buf <= 0 {
		buf = DefaultMicBuffer
	}
	m := &Mic{ring: ring.New(samplesOf(buf)), lost: make(chan struct{}), closed: make(chan struct{})}
	cfg := malgo.DefaultDeviceConfig(malgo.Capture)
	cfg.Capture.Format, cfg.Capture.Channels, cfg.SampleRate = malgo.FormatF32, 1, SampleRate
	req := streamRequest{kind: malgo.Capture, what: "capture", device: opts.Device, backend: opts.Backend, config: cfg, data: m.onData}
	m.link = newLink("microphone", req, opts.Resilience, opts.Latency.resolve(CurrentServer(), malgo.Capture), m.deviceLost)
	if err := m.link.start(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// onData runs on miniaudio's audio thread: it reads the C buffer in place,
// copies it into the ring and stores the level; it never blocks.
func (m *Mic) onData(_, in []byte, frames uint32) {
	if len(in) < int(frames)*4 || frames == 0 {
		return
	}
	samples := unsafe.Slice((*float32)(unsafe.Pointer(&in[0])), frames)
	m.frames.Store(frames)
	m.level.Store(packLevel(measure(samples)))
	m.write(samples, time.Now())
}

func (m *Mic) write(samples []float32, now time.Time) {
	m.ring.Write(samples)
	m.clock.Mark(m.ring.Written(), now)
}

// deviceLost runs on the link's watcher once the device is out of the
// gate: it wakes a reader, or starts the silence that stands in for the
// device until it is back.
func (m *Mic) deviceLost(silence uint64, _ error) {
	m.level.Store(0)
	if !m.link.res.Reconnect {
		close(m.lost)
		return
	}
	go m.fillSilence(silence)
}

// fillSilence writes real-time silence while generation gen holds the
// gate, that is until the device is back or the Mic is closed.
func (m *Mic) fillSilence(gen uint64) {
	t := time.NewTicker(filePace)
	defer t.Stop()
	start, written := time.Now(), 0
	zeros := make([]float32, samplesOf(filePace))
	for now := range t.C {
		if !m.link.gate.enter(gen) {
			return
		}
		for due := samplesOf(now.Sub(start)) - written; due > 0; {
			k := min(due, len(zeros))
			m.write(zeros[:k], now)
			due, written = due-k, written+k
		}
		m.link.gate.leave(gen)
	}
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
// or the microphone is closed or lost (without Reconnect).
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
			return 0, m.closedErr()
		case <-m.lost:
			return 0, m.link.state().why
		}
	}
}

func (m *Mic) closedErr() error {
	return fmt.Errorf("microphone %q: %w", m.Device().Name, ErrClosed)
}

// Level returns the loudness of the latest device callback; cheap and safe
// to call from the UI at any rate. It is zero while the device is lost.
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

// Latency estimates the delay the device buffer adds to what the
// microphone hears (0 before the first callback).
func (m *Mic) Latency() time.Duration {
	return m.link.bufferDelay(m.CallbackFrames(), SampleRate)
}

// Device returns the device in use (the default device's listed name when
// none was named).
func (m *Mic) Device() DeviceInfo { return m.link.state().info }

// Backend returns the backend in use: "pulseaudio", "alsa" or "null".
func (m *Mic) Backend() string { return m.link.state().backend }

// Err returns why the device is lost, nil while it captures.
func (m *Mic) Err() error { return m.link.state().why }

// Close implements Source: CloseContext with DefaultCloseTimeout.
func (m *Mic) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultCloseTimeout)
	defer cancel()
	return m.CloseContext(ctx)
}

// CloseContext stops the device and wakes a blocked Read. It returns when
// the device has closed or ctx ends, whichever comes first: a device whose
// server does not let go (ma_device_uninit can wait for ever on a stalled
// or vanished server) is abandoned and ErrCloseTimeout returned. Closing
// twice is harmless.
func (m *Mic) CloseContext(ctx context.Context) error {
	m.closeOnce.Do(func() { close(m.closed) })
	return m.link.close(ctx)
}
