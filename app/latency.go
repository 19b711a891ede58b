package app

import (
	"context"
	"fmt"
	"time"

	"parley/audio"
	"parley/config"
)

// AddedLatency is the delay the audio path adds outside parley's own
// figures. voice_to_voice runs from the end of speech as parley hears it
// to the first sample handed to the speaker, so the user hears a reply
// about In + Out after that: In delays what parley hears, Out what the
// user hears. A sound server's own buffering and a network come on top.
type AddedLatency struct {
	// In is the capture side's: the microphone's device buffer (a file
	// input adds none).
	In time.Duration
	// Out is the playback side's: the speaker's device buffer.
	Out time.Duration
}

// latencyReporter is an audio end that knows the delay its buffers add:
// audio.Mic and audio.Speaker do. A source or speaker of another backend
// (the browser page's jitter buffers) fills AddedLatency by having the
// same method.
type latencyReporter interface {
	// Latency is the delay the end's buffers add; 0 while unknown.
	Latency() time.Duration
}

// AddedLatency returns what the audio ends report now (zero for an end
// that has not called back yet).
func (a *Audio) AddedLatency() AddedLatency {
	var l AddedLatency
	switch src := a.Source.(type) {
	case latencyReporter:
		l.In = src.Latency()
	default:
		if a.Mic != nil { // the microphone behind the echo canceller
			l.In = a.Mic.Latency()
		}
	}
	if a.Speaker != nil {
		l.Out = a.Speaker.Latency()
	}
	return l
}

// String shows both sides, e.g. "+25ms in, +400ms out".
func (l AddedLatency) String() string {
	return fmt.Sprintf("+%v in, +%v out", l.In.Round(time.Millisecond), l.Out.Round(time.Millisecond))
}

// ProbeLatency opens the devices of cfg briefly, as OpenAudio would, and
// returns what their buffers add, with the probe's report (doctor's view
// of AddedLatency). The error says why a device did not open or play.
func ProbeLatency(ctx context.Context, cfg config.Audio) (AddedLatency, audio.ProbeReport, error) {
	lat, err := audio.ParseLatency(cfg.Latency)
	if err != nil {
		return AddedLatency{}, audio.ProbeReport{}, fmt.Errorf("audio.latency: %w", err)
	}
	p, err := audio.Probe(ctx, audio.ProbeOptions{Backend: backend(cfg.Backend), InputDevice: cfg.InputDevice,
		OutputDevice: cfg.OutputDevice, Latency: lat})
	return AddedLatency{In: p.Capture.Delay, Out: p.Playback.Delay}, p, err
}
