package audio

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gen2brain/malgo"

	"parley/internal/ctxtime"
)

// SpeakerOptions choose and tune a speaker.
type SpeakerOptions struct {
	// Device is a device id, an exact name or a unique case-insensitive
	// substring of one; "" or "default" use the backend's default.
	Device string
	// Backend is "pulseaudio", "alsa" or "null"; "" tries PulseAudio, then
	// ALSA (PulseAudio alone when PULSE_SERVER is set).
	Backend string
	// SampleRate is the rate the device is opened at; 0 uses the device's
	// own rate, so that only parley's resampler touches TTS audio.
	SampleRate int
	// EchoReference, when set, receives every sample handed to the device
	// (silence included) for an echo canceller (an echo.EchoReference). One
	// Speaker per reference.
	EchoReference PlaybackTap
	// Latency sizes the device buffer (zero: auto, see Latency).
	Latency Latency
	// Resilience says what happens when the audio server goes away.
	Resilience Resilience
}

// Speaker plays queued mono sounds in order. The device runs from OpenSpeaker
// to Close and plays silence while the queue is empty.
//
// When its audio server goes away the loss is noticed within 2 s: what is
// queued ends as flushed, and Play fails at once with an error wrapping
// ErrDeviceLost that names the server (the pipeline reports it and goes
// on). With Resilience.Reconnect the device is reopened with backoff, at
// the same rate, and Play works again.
//
// Why a mutex in the callback: the queue is only ever locked for slice
// operations and one copy of at most a callback's worth of samples (Play
// resamples before locking), so the audio thread waits microseconds at most,
// and Flush takes effect at the very next callback.
type Speaker struct {
	link    *link
	rate    int
	frames  atomic.Uint32 // frames in the latest callback
	lastEnd atomic.Int64  // UnixNano when a playback's last sample was handed over

	mu     sync.Mutex
	queue  []*Playback
	closed bool

	echo PlaybackTap // nil without echo cancellation; set before the device starts
}

// OpenSpeaker opens and starts a playback device. Errors name the device and
// backend, list the available devices when the name matches none, and say
// what was tried and the fix when no backend works.
func OpenSpeaker(ctx context.Context, opts SpeakerOptions) (*Speaker, error) {
	if opts.SampleRate < 0 || (opts.SampleRate != 0 && !validRate(opts.SampleRate)) {
		return nil, fmt.Errorf("open playback device: sample rate %d: %w", opts.SampleRate, ErrInvalidOptions)
	}
	sp := &Speaker{echo: opts.EchoReference}
	cfg := malgo.DefaultDeviceConfig(malgo.Playback)
	cfg.Playback.Format, cfg.Playback.Channels, cfg.SampleRate = malgo.FormatF32, 1, uint32(opts.SampleRate)
	req := streamRequest{kind: malgo.Playback, what: "playback", device: opts.Device, backend: opts.Backend, config: cfg, data: sp.onData}
	sp.link = newLink("speaker", req, opts.Resilience, opts.Latency.resolve(CurrentServer(), malgo.Playback), sp.deviceLost)
	if err := sp.link.start(ctx); err != nil {
		return nil, err
	}
	sp.rate = sp.link.state().rate
	if sp.echo != nil {
		sp.echo.Attach(sp.rate)
	}
	return sp, nil
}

// deviceLost runs on the link's watcher: what was queued can no longer be
// heard, so it ends now rather than never.
func (sp *Speaker) deviceLost(uint64, error) { sp.Flush() }

// Play queues mono samples at rate (resampled to the device's rate first)
// and returns at once with a handle that reports when the first sample
// reached the device and when the last one did. While the device is lost
// it fails with an error wrapping ErrDeviceLost.
func (sp *Speaker) Play(ctx context.Context, samples []float32, rate int) (*Playback, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := sp.link.state().why; err != nil {
		return nil, fmt.Errorf("play: %w", err)
	}
	out, err := Resample(samples, rate, sp.rate)
	if err != nil {
		return nil, fmt.Errorf("play on %q: %w", sp.Device().Name, err)
	}
	pb := newPlayback(out, sp.rate)
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.closed {
		return nil, fmt.Errorf("play on %q: %w", sp.Device().Name, ErrClosed)
	}
	if len(out) == 0 {
		pb.finish(false)
		return pb, nil
	}
	sp.queue = append(sp.queue, pb)
	return pb, nil
}

// onData runs on miniaudio's audio thread: it fills the C buffer from the
// queue and pads it with silence.
func (sp *Speaker) onData(out, _ []byte, frames uint32) {
	if len(out) < int(frames)*4 || frames == 0 {
		return
	}
	dst := unsafe.Slice((*float32)(unsafe.Pointer(&out[0])), frames)
	sp.frames.Store(frames)
	now := time.Now()
	n := sp.fill(dst, now)
	clear(dst[n:])
	if sp.echo != nil {
		sp.echo.Push(dst, now)
	}
}

func (sp *Speaker) fill(dst []float32, now time.Time) int {
	// lastEnd is stored before the Done channel closes, so Drain sees it.
	sp.mu.Lock()
	defer sp.mu.Unlock()
	n := 0
	for n < len(dst) && len(sp.queue) > 0 {
		pb := sp.queue[0]
		pb.markStarted(now)
		k := copy(dst[n:], pb.samples[pb.pos:])
		pb.pos += k
		n += k
		if pb.pos == len(pb.samples) {
			sp.lastEnd.Store(now.UnixNano())
			pb.finish(false)
			sp.queue[0] = nil
			sp.queue = sp.queue[1:]
		}
	}
	return n
}

// Flush drops everything queued at once (barge-in): pending playbacks end
// as flushed and the device plays silence from its next callback, so at
// most the audio already in the device buffer (a period or two) is heard.
func (sp *Speaker) Flush() {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	for _, pb := range sp.queue {
		pb.finish(true)
	}
	sp.queue = nil
}

// Playing reports whether anything is queued or being played.
func (sp *Speaker) Playing() bool {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return len(sp.queue) > 0
}

// Drain waits until everything queued now has been handed to the device and,
// after that, for about two device periods, the time the device buffer needs
// to play it out.
func (sp *Speaker) Drain(ctx context.Context) error {
	sp.mu.Lock()
	var last *Playback
	if len(sp.queue) > 0 {
		last = sp.queue[len(sp.queue)-1]
	}
	sp.mu.Unlock()
	if last != nil {
		if err := last.Wait(ctx); err != nil {
			return err
		}
	}
	tail := time.Until(time.Unix(0, sp.lastEnd.Load()).Add(sp.bufferTime()))
	if tail <= 0 {
		return nil
	}
	return ctxtime.Sleep(ctx, tail)
}

// bufferTime estimates the device buffer as two callbacks.
func (sp *Speaker) bufferTime() time.Duration {
	return 2 * time.Duration(sp.frames.Load()) * time.Second / time.Duration(sp.rate)
}

// SampleRate returns the device's rate; Play resamples to it.
func (sp *Speaker) SampleRate() int { return sp.rate }

// CallbackFrames returns the size of the latest device callback in frames.
func (sp *Speaker) CallbackFrames() int { return int(sp.frames.Load()) }

// Latency estimates the delay the device buffer adds before the user
// hears a sample handed to the device (0 before the first callback): the
// part of "the latency the user hears" that comes after the pipeline.
func (sp *Speaker) Latency() time.Duration {
	return sp.link.bufferDelay(sp.CallbackFrames(), sp.rate)
}

// Device returns the device in use.
func (sp *Speaker) Device() DeviceInfo { return sp.link.state().info }

// Backend returns the backend in use: "pulseaudio", "alsa" or "null".
func (sp *Speaker) Backend() string { return sp.link.state().backend }

// Err returns why the device is lost, nil while it plays.
func (sp *Speaker) Err() error { return sp.link.state().why }

// Close is CloseContext with DefaultCloseTimeout.
func (sp *Speaker) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultCloseTimeout)
	defer cancel()
	return sp.CloseContext(ctx)
}

// CloseContext flushes the queue and stops the device; later Play calls
// fail with ErrClosed. It returns when the device has closed or ctx ends:
// a device whose server does not let go is abandoned and ErrCloseTimeout
// returned. Closing twice is harmless.
func (sp *Speaker) CloseContext(ctx context.Context) error {
	sp.mu.Lock()
	if sp.closed {
		sp.mu.Unlock()
		return nil
	}
	sp.closed = true
	sp.mu.Unlock()
	sp.Flush()
	return sp.link.close(ctx) // waits for a callback in progress; must not hold mu
}
