package echo

import (
	"sync/atomic"
	"time"

	"parley/audio/internal/ring"
)

// DefaultEchoBuffer is how much played audio an EchoReference holds for its
// reader. Why 2 s: the reader (EchoCancelledSource) drains it every capture
// frame, so it is normally nearly empty; 2 s bridges a stalled reader the
// same way the capture ring does. When it overflows the newest samples are
// dropped, and the reader notices and re-aligns.
const DefaultEchoBuffer = 2 * time.Second

// echoBufferRate sizes the buffer: DefaultEchoBuffer at the highest common
// device rate (a 96 kHz device gets half the time).
const echoBufferRate = 48000

// EchoReferenceOptions tune an EchoReference.
type EchoReferenceOptions struct {
	// Latency is the delay from a sample being handed to the playback device
	// to it being delivered by the capture device, over and above the sound's
	// flight; 0 estimates it as one playback callback, the least any device
	// buffers. Set it (config audio.aec_latency) when the echo path is longer
	// than the canceller's tail, e.g. over Bluetooth: too small only costs
	// tail, too large makes the echo come before its reference, which no
	// canceller can remove.
	Latency time.Duration
}

// EchoReference carries what a Speaker plays to an EchoCancelledSource:
// the Speaker's callback appends every sample it hands to the device
// (silence included, so the stream is continuous) to a lock-free ring and
// stamps the time; the reader resamples it to SampleRate and lines it up
// with the microphone's samples. One Speaker feeds it and one reader
// drains it.
type EchoReference struct {
	latency time.Duration
	ring    *ring.Ring
	rate    atomic.Int64  // device rate; 0 until a Speaker opens with it
	period  atomic.Uint32 // frames in the latest playback callback
	clock   ring.Clock    // ring write count after each callback, and when
}

// NewEchoReference returns a reference to pass as SpeakerOptions.EchoReference
// and to NewEchoCancelledSource.
func NewEchoReference(opts EchoReferenceOptions) *EchoReference {
	return &EchoReference{
		latency: max(0, opts.Latency),
		ring:    ring.New(int(DefaultEchoBuffer * echoBufferRate / time.Second)),
	}
}

// Attach implements audio.PlaybackTap: it records the playback device's
// rate once it is open.
func (r *EchoReference) Attach(rate int) { r.rate.Store(int64(rate)) }

// Push implements audio.PlaybackTap; it runs on the playback callback and
// never blocks or allocates.
func (r *EchoReference) Push(played []float32, at time.Time) {
	r.ring.Write(played)
	r.period.Store(uint32(len(played)))
	r.clock.Mark(r.ring.Written(), at)
}

// deviceRate returns the playback rate, 0 before a Speaker opened.
func (r *EchoReference) deviceRate() int { return int(r.rate.Load()) }

// latencyFor returns the configured latency, or one playback period.
func (r *EchoReference) latencyFor(rate int) time.Duration {
	if r.latency > 0 {
		return r.latency
	}
	return r.periodTime(rate)
}

// periodTime returns the duration of the latest playback callback.
func (r *EchoReference) periodTime(rate int) time.Duration {
	if rate == 0 {
		return 0
	}
	return time.Duration(r.period.Load()) * time.Second / time.Duration(rate)
}
