package web

import "time"

// PageStats is what the page last reported about its audio (every half
// second, and in its hello).
type PageStats struct {
	// Rate is the page's AudioContext rate (Hz); the page resamples to it.
	Rate int `json:"rate"`
	// Context is the AudioContext's state: "running", "suspended" or "closed".
	Context string `json:"context"`
	// BaseLatencyMS is the AudioContext's own output buffering.
	BaseLatencyMS float64 `json:"base_latency_ms"`
	// OutputLatencyMS is the browser's estimate from the AudioContext to
	// the speaker (0 where the browser does not say).
	OutputLatencyMS float64 `json:"output_latency_ms"`
	// CaptureLatencyMS is the microphone track's latency as the browser
	// reports it (0 where it does not).
	CaptureLatencyMS float64 `json:"capture_latency_ms"`
	// EchoCancellation, NoiseSuppression and AutoGainControl are the
	// capture settings the browser applied (asked: all on).
	EchoCancellation bool `json:"echo_cancellation"`
	NoiseSuppression bool `json:"noise_suppression"`
	AutoGainControl  bool `json:"auto_gain_control"`
	// FramesSent counts the capture frames the page has sent.
	FramesSent uint64 `json:"frames_sent"`
	// Played counts the samples of parley's sound the page has output (at Rate).
	Played uint64 `json:"played"`
	// Underruns counts the times the jitter buffer ran dry inside a sound.
	Underruns uint64 `json:"underruns"`
	// BufferedMS is how much of parley's sound waits in the jitter buffer.
	BufferedMS float64 `json:"buffered_ms"`
	// JitterMS is the jitter buffer's target: a sound starts once this much
	// of it (or all of it) has arrived.
	JitterMS float64 `json:"jitter_ms"`
	// FirstMS is, over the page's recent sounds, the time from a sound's
	// first chunk arriving on the socket to its first sample reaching the
	// audio output (the browser's output timestamp): the jitter buffer's
	// wait, the rendering and the output latency, all that the page adds
	// before the user hears a reply start.
	FirstMS Summary `json:"first_ms"`
}

// Summary describes a set of durations in milliseconds.
type Summary struct {
	// N is how many values it summarises; the others are 0 when N is 0.
	N int `json:"n"`
	// Mean, P95 and Max are in milliseconds.
	Mean float64 `json:"mean"`
	P95  float64 `json:"p95"`
	Max  float64 `json:"max"`
}

// PlaybackDelay is the delay the page adds between parley's sound arriving
// and the user hearing it: the mean of FirstMS. 0 before the page measured
// a sound.
func (s PageStats) PlaybackDelay() time.Duration {
	return ms(s.FirstMS.Mean)
}

// CaptureDelay is the delay the browser adds between the user speaking and
// the samples leaving the page: the microphone track's latency plus one
// 20 ms capture frame, the longest a sample waits for its frame to fill.
func (s PageStats) CaptureDelay() time.Duration {
	return ms(s.CaptureLatencyMS) + chunkLength
}

func ms(v float64) time.Duration {
	return time.Duration(v * float64(time.Millisecond))
}
