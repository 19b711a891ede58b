// Package asr holds the speech recognition engines and their front ends.
// Every engine implements Engine; the pipeline never knows which one runs.
package asr

import "context"

// Engine is a speech recogniser. It creates one Stream per utterance.
type Engine interface {
	// Name is a short engine name for doctor and the UI, e.g. "pocketsphinx".
	Name() string
	// Device is where the engine runs now, e.g. "cpu" or "cuda:0".
	Device() string
	// NewStream starts recognising one utterance.
	NewStream(ctx context.Context) (Stream, error)
	// Close releases the engine.
	Close() error
}

// Stream recognises one utterance. Audio is fed while the user speaks, so
// that Finish only has to finalise.
type Stream interface {
	// Accept feeds 16 kHz mono samples in [-1, 1].
	Accept(ctx context.Context, samples []float32) error
	// Partial returns the best hypothesis so far ("" when none).
	Partial(ctx context.Context) (string, error)
	// Finish ends the utterance and returns the final transcript.
	Finish(ctx context.Context) (Result, error)
	// Close releases the stream; it is safe after Finish.
	Close() error
}

// Result is a final transcript.
type Result struct {
	// Text is the transcript, trimmed; "" when nothing was recognised.
	Text string
	// AudioSeconds is the duration of the audio the stream received.
	AudioSeconds float64
}
