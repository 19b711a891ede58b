package audio

import "time"

// PlaybackTap receives every sample a Speaker hands to its device (silence
// included, so the stream is continuous), for an echo canceller's
// reference; echo.EchoReference is one.
type PlaybackTap interface {
	// Attach records the playback device's rate once it is open.
	Attach(rate int)
	// Push runs on the playback callback with what was handed over and
	// when: it must never block or allocate.
	Push(played []float32, at time.Time)
}

// CaptureMark returns where the capture callback's clock stands: it had
// stored index samples at nanos (UnixNano); ok is false before the first
// callback. An echo canceller lines its reference up with it.
func (m *Mic) CaptureMark() (index uint64, nanos int64, ok bool) {
	return m.clock.Read()
}

// NextIndex returns the capture index of the next sample Read returns (for
// the echo canceller, which is then the Mic's only reader).
func (m *Mic) NextIndex() uint64 { return m.ring.Consumed() }
