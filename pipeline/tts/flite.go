package tts

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// FliteOptions configures NewFlite.
type FliteOptions struct {
	// Voice is one of FliteVoices (tts.flite.voice); empty means "slt".
	Voice string
}

var _ Engine = (*Flite)(nil)

// FliteVoices returns the voice names NewFlite accepts, the default first.
func FliteVoices() []string {
	return []string{"slt", "kal16", "rms", "awb"}
}

// Flite is the embedded CPU synthesiser (CMU flite through cgo, voices
// linked in). It implements Engine.
//
// flite is not thread safe: every synthesis in the process, whichever
// engine and voice, runs under one lock, so concurrent Synthesize calls
// queue. A call cannot be interrupted once flite runs; the pipeline sends
// one sentence at a time, which keeps that wait short.
type Flite struct {
	name  string
	mu    sync.Mutex  // guards voice
	voice *fliteVoice // nil once closed
}

// NewFlite registers the voice. Registering is cheap (the voice data is
// linked into the binary); engines with the same voice share it.
func NewFlite(ctx context.Context, opts FliteOptions) (*Flite, error) {
	if opts.Voice == "" {
		opts.Voice = FliteVoices()[0]
	}
	id, ok := fliteVoiceID(opts.Voice)
	if !ok {
		return nil, fmt.Errorf("tts.flite.voice = %q, want one of %s: %w",
			opts.Voice, strings.Join(FliteVoices(), ", "), ErrUnknownVoice)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("start flite/%s: %w", opts.Voice, err)
	}
	v, err := openFliteVoice(id)
	if err != nil {
		return nil, fmt.Errorf("start flite/%s: %w", opts.Voice, err)
	}
	return &Flite{name: "flite/" + opts.Voice, voice: v}, nil
}

// Name implements Engine, e.g. "flite/slt".
func (f *Flite) Name() string { return f.name }

// Device implements Engine; flite runs on the CPU only.
func (f *Flite) Device() string { return "cpu" }

// Synthesize implements Engine. The audio is at the voice's own rate
// (16 kHz for the bundled voices). Blank text gives empty audio and no
// error.
func (f *Flite) Synthesize(ctx context.Context, text string) (Audio, error) {
	if err := ctx.Err(); err != nil {
		return Audio{}, fmt.Errorf("%s: %w", f.name, err)
	}
	if !speakable(text) {
		return Audio{}, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.voice == nil {
		return Audio{}, fmt.Errorf("%s: %w", f.name, ErrClosed)
	}
	samples, rate, err := f.voice.synth(text)
	if err != nil {
		return Audio{}, fmt.Errorf("%s: %w", f.name, err)
	}
	return Audio{Samples: samples, SampleRate: rate}, nil
}

// Close implements Engine. It is safe to call more than once.
func (f *Flite) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.voice != nil {
		f.voice.close()
		f.voice = nil
	}
	return nil
}

// speakable reports whether text has anything flite would say.
func speakable(text string) bool {
	return strings.TrimSpace(text) != ""
}
