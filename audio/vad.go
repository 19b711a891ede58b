package audio

import "context"

// SampleRate is the rate in Hz of everything the pipeline hears: sources
// deliver it and the VADs score it.
const SampleRate = 16000

// FrameSize is the number of SampleRate samples a VAD scores at a time
// (32 ms, Silero VAD v5's chunk).
const FrameSize = 512

// VAD scores frames of FrameSize samples at SampleRate with the probability
// that they hold speech. A VAD keeps state across frames of one stream and is
// not meant to be shared between streams.
type VAD interface {
	// Prob returns the speech probability of frame, in [0, 1].
	Prob(ctx context.Context, frame []float32) (float32, error)
	// Reset forgets all state, as at the start of a new stream.
	Reset()
	// Name identifies the detector, e.g. "silero" or "energy".
	Name() string
}
