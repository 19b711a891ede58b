package echo

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"parley/audio"
)

// Echo canceller defaults.
const (
	// DefaultEchoFrame is the canceller's frame: 10 ms at SampleRate, the
	// size speexdsp recommends (a power-of-two-friendly 10-20 ms block).
	DefaultEchoFrame = 160
	// DefaultEchoTail is how long an echo path the filter models. Why
	// 200 ms: it must cover what is left of the speaker-to-microphone delay
	// after EchoReference's alignment (device buffers it could not see, the
	// room's reverberation, a Bluetooth hop); the cost grows linearly with it
	// and convergence slows, so longer is not free.
	DefaultEchoTail = 200 * time.Millisecond
	// DefaultEchoSuppressDB is the residual echo attenuation (dB, negative)
	// while only the far end talks; speexdsp's own default.
	DefaultEchoSuppressDB = -40
	// DefaultEchoSuppressActiveDB is the residual echo attenuation (dB,
	// negative) while the near end talks too; milder so the user's voice
	// survives double talk. speexdsp's own default.
	DefaultEchoSuppressActiveDB = -15
)

var (
	// ErrEchoFrame indicates captured and reference buffers of different
	// lengths, or lengths that are not a multiple of the canceller's frame.
	ErrEchoFrame = errors.New("echo canceller buffers have the wrong size")
	// ErrEchoInit indicates that speexdsp could not create its state.
	ErrEchoInit = errors.New("cannot create echo canceller")
)

// EchoOptions configure an EchoCanceller. Zero values take the defaults.
type EchoOptions struct {
	// SampleRate of both signals in Hz (default SampleRate).
	SampleRate int
	// FrameSize is the block processed at once, in samples (default
	// DefaultEchoFrame).
	FrameSize int
	// TailLength is the longest echo path modelled (default DefaultEchoTail;
	// config audio.aec_tail).
	TailLength time.Duration
	// ResidualSuppression runs speexdsp's preprocessor bound to the echo
	// state, which removes most of the echo the linear filter leaves behind.
	ResidualSuppression bool
	// SuppressDB is the residual attenuation while only the far end talks,
	// in dB below zero (default DefaultEchoSuppressDB).
	SuppressDB int
	// SuppressActiveDB is the attenuation during double talk (default
	// DefaultEchoSuppressActiveDB).
	SuppressActiveDB int
	// Denoise also enables the preprocessor's noise suppression (only with
	// ResidualSuppression).
	Denoise bool
}

func (o EchoOptions) withDefaults() EchoOptions {
	if o.SampleRate == 0 {
		o.SampleRate = audio.SampleRate
	}
	if o.FrameSize == 0 {
		o.FrameSize = DefaultEchoFrame
	}
	if o.TailLength == 0 {
		o.TailLength = DefaultEchoTail
	}
	if o.SuppressDB == 0 {
		o.SuppressDB = DefaultEchoSuppressDB
	}
	if o.SuppressActiveDB == 0 {
		o.SuppressActiveDB = DefaultEchoSuppressActiveDB
	}
	return o
}

func (o EchoOptions) validate() error {
	switch {
	case o.SampleRate < 8000 || o.SampleRate > 48000:
		return fmt.Errorf("echo canceller: sample rate %d Hz: %w", o.SampleRate, audio.ErrInvalidOptions)
	case o.FrameSize < 16 || o.FrameSize > o.SampleRate/10:
		return fmt.Errorf("echo canceller: frame of %d samples: %w", o.FrameSize, audio.ErrInvalidOptions)
	case o.TailLength < 10*time.Millisecond || o.TailLength > 2*time.Second:
		return fmt.Errorf("echo canceller: tail %v (want 10 ms to 2 s): %w", o.TailLength, audio.ErrInvalidOptions)
	case o.SuppressDB > 0 || o.SuppressActiveDB > 0:
		return fmt.Errorf("echo canceller: suppression %d/%d dB must be negative: %w",
			o.SuppressDB, o.SuppressActiveDB, audio.ErrInvalidOptions)
	}
	return nil
}

// EchoCanceller removes the echo of a reference signal (what the speaker
// played) from a captured signal, with speexdsp's MDF adaptive filter and,
// optionally, its residual echo suppressor. Each canceller owns its C state.
// Methods are safe for concurrent use but meant for one stream.
type EchoCanceller struct {
	opts EchoOptions

	mu               sync.Mutex
	st               *speexAEC // nil after Close
	rec, play, clean []int16   // one frame each
}

// NewEchoCanceller allocates a canceller; Close frees it.
func NewEchoCanceller(opts EchoOptions) (*EchoCanceller, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	tail := int(opts.TailLength * time.Duration(opts.SampleRate) / time.Second)
	st := newSpeexAEC(speexParams{
		frame: opts.FrameSize, tail: tail, rate: opts.SampleRate,
		suppress: opts.ResidualSuppression, denoise: opts.Denoise,
		suppressDB: opts.SuppressDB, activeDB: opts.SuppressActiveDB,
	})
	if st == nil {
		return nil, fmt.Errorf("echo canceller (%d-sample frame, %v tail): %w", opts.FrameSize, opts.TailLength, ErrEchoInit)
	}
	n := opts.FrameSize
	return &EchoCanceller{opts: opts, st: st, rec: make([]int16, n), play: make([]int16, n), clean: make([]int16, n)}, nil
}

// FrameSize returns the canceller's frame in samples.
func (e *EchoCanceller) FrameSize() int { return e.opts.FrameSize }

// Options returns the options in effect, defaults filled in.
func (e *EchoCanceller) Options() EchoOptions { return e.opts }

// Process returns captured with the echo of reference removed. Both must
// have the same length, a multiple of FrameSize; reference[i] is what the
// speaker played at the moment captured[i] was recorded, give or take the
// tail. Samples are in [-1, 1] and pass through 16-bit integers.
func (e *EchoCanceller) Process(captured, reference []float32) ([]float32, error) {
	out := make([]float32, len(captured))
	if err := e.ProcessInto(out, captured, reference); err != nil {
		return nil, err
	}
	return out, nil
}

// ProcessInto is Process writing into out (len(out) >= len(captured));
// it allocates nothing.
func (e *EchoCanceller) ProcessInto(out, captured, reference []float32) error {
	n := e.opts.FrameSize
	if len(captured) != len(reference) || len(captured)%n != 0 || len(out) < len(captured) {
		return fmt.Errorf("echo canceller: %d captured, %d reference, %d out samples for %d-sample frames: %w",
			len(captured), len(reference), len(out), n, ErrEchoFrame)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.st == nil {
		return fmt.Errorf("echo canceller: %w", audio.ErrClosed)
	}
	for i := 0; i < len(captured); i += n {
		quantize16(e.rec, captured[i:i+n])
		quantize16(e.play, reference[i:i+n])
		e.st.run(e.rec, e.play, e.clean)
		dequantize16(out[i:i+n], e.clean)
	}
	return nil
}

// Reset forgets the learnt echo path (e.g. after the output device changed).
func (e *EchoCanceller) Reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.st != nil {
		e.st.reset()
	}
}

// Close frees the C state; later Process calls fail with ErrClosed. Closing
// twice is harmless.
func (e *EchoCanceller) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.st != nil {
		e.st.free()
		e.st = nil
	}
	return nil
}

func quantize16(dst []int16, src []float32) {
	for i, v := range src {
		dst[i] = int16(math.Round(float64(max(-1, min(v, 32767.0/32768)) * 32768)))
	}
}

func dequantize16(dst []float32, src []int16) {
	for i, v := range src {
		dst[i] = float32(v) / 32768
	}
}
