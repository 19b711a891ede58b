// Package tts holds the speech synthesis engines. Every engine implements
// Engine; the pipeline never knows which one runs.
package tts

import "context"

// Engine turns text into audio.
type Engine interface {
	// Name is a short engine name for doctor and the UI, e.g. "flite/slt".
	Name() string
	// Device is where the engine runs now, e.g. "cpu" or "cuda:0".
	Device() string
	// Synthesize speaks text and returns mono samples in [-1, 1].
	Synthesize(ctx context.Context, text string) (Audio, error)
	// Close releases the engine.
	Close() error
}

// Audio is mono sound at a given sample rate.
type Audio struct {
	// Samples are in [-1, 1].
	Samples []float32
	// SampleRate is in Hz.
	SampleRate int
}

// Seconds returns the duration of the audio.
func (a Audio) Seconds() float64 {
	if a.SampleRate <= 0 {
		return 0
	}
	return float64(len(a.Samples)) / float64(a.SampleRate)
}
