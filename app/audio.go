package app

import (
	"context"
	"fmt"

	"parley/audio"
	"parley/audio/echo"
	"parley/audio/web"
	"parley/config"
	"parley/pipeline"
)

// Audio is a conversation's audio ends: what it listens to and what it
// speaks through. Open opens it with the rest; doctor can open it alone.
type Audio struct {
	// Source is what the conversation listens to: a file, the microphone,
	// the microphone through the echo canceller, the browser page's
	// microphone, or nothing (NoMic: typed turns only). These are the ends opened at start; a device switch
	// replaces them behind the App's live input and output.
	Source pipeline.Source
	// Mic is the capture device; nil for a file.
	Mic *audio.Mic
	// Echo is the played signal, the echo canceller's reference; nil
	// without echo cancellation.
	Echo *echo.EchoReference
	// Speaker is the playback device; nil with the browser page.
	Speaker *audio.Speaker
	// Web is the browser page, microphone and speaker, when audio.backend
	// is "web"; nil otherwise.
	Web *web.Server
	// Notices say what fell back (a file input's replies played to the
	// null device), as start-up facts.
	Notices []pipeline.Notice

	cfg         config.Audio
	micOpts     audio.MicOptions     // what Mic was opened with, for a switch
	speakerOpts audio.SpeakerOptions // what Speaker was opened with, for a switch
	latency     audio.Latency        // audio.latency: the devices' buffer and period
	page        *pageLink            // the page's link to the pipeline; nil without Web
	closers     closers
	states      chan audio.StateChange // the devices' losses and returns; nil without devices
}

// OpenAudio opens the input, then the speaker (which feeds the echo
// canceller's reference). This is where a source and a speaker are chosen:
// --input's WAV file, else the capture and playback devices of
// audio.backend; with audio.backend = "web" the browser page serves as
// both (see openWeb). The caller closes it.
func OpenAudio(ctx context.Context, cfg config.Audio, opts Options) (*Audio, error) {
	if cfg.Backend == "web" {
		return openWeb(ctx, cfg, opts)
	}
	lat, err := audio.ParseLatency(cfg.Latency)
	if err != nil {
		return nil, fmt.Errorf("audio.latency: %w", err)
	}
	a := &Audio{cfg: cfg, latency: lat, states: make(chan audio.StateChange, audioStateBuffer)}
	switch {
	case opts.Input != "":
		err = a.openFile(opts)
	case opts.NoMic:
		a.Source = noInput{}
	default:
		err = a.openMic(ctx, cfg, pick(opts.InputDevice, cfg.InputDevice))
	}
	if err == nil {
		err = a.openSpeaker(ctx, cfg, pick(opts.OutputDevice, cfg.OutputDevice))
	}
	if err != nil {
		_ = a.Close()
		return nil, err
	}
	return a, nil
}

// Close closes the speaker and the input at the same time, within
// closeLimit: a device that does not let go is abandoned.
func (a *Audio) Close() error {
	return a.closers.closeAll(closeLimit)
}

// openFile reads --input instead of a microphone.
func (a *Audio) openFile(opts Options) error {
	f, err := audio.OpenFile(opts.Input, audio.FileOptions{Fast: opts.Fast})
	if err != nil {
		return fmt.Errorf("--input: %w", err)
	}
	a.closers.add(f.Close)
	a.Source = f
	return nil
}

// openMic opens the capture device, read through the echo canceller when
// audio.aec is on.
func (a *Audio) openMic(ctx context.Context, cfg config.Audio, device string) error {
	a.micOpts = audio.MicOptions{
		Device:     device,
		Backend:    backend(cfg.Backend),
		Buffer:     cfg.CaptureBuffer.Duration,
		Latency:    a.latency,
		Resilience: a.resilience(),
	}
	mic, err := audio.OpenMic(ctx, a.micOpts)
	if err != nil {
		return fmt.Errorf("audio input: %w", err)
	}
	a.Mic = mic
	a.closers.add(mic.Close)
	if !cfg.AEC {
		a.Source = mic
		return nil
	}
	return a.cancelEcho(cfg, mic)
}

// cancelEcho reads the microphone through the echo canceller, with what the
// speaker plays as its reference.
func (a *Audio) cancelEcho(cfg config.Audio, mic *audio.Mic) error {
	ref := newEchoReference(cfg)
	src, err := newCanceller(cfg, mic, ref)
	if err != nil {
		return err
	}
	a.closers.add(src.Close)
	a.Source, a.Echo = src, ref
	return nil
}

// newEchoReference is the played signal's carrier to an echo canceller.
func newEchoReference(cfg config.Audio) *echo.EchoReference {
	return echo.NewEchoReference(echo.EchoReferenceOptions{Latency: cfg.AECLatency.Duration})
}

// newCanceller reads mic through a new echo canceller with ref as its
// reference. The canceller does not own mic: closing it leaves the
// microphone open, so a speaker switch can give the same microphone a new
// reference.
func newCanceller(cfg config.Audio, mic *audio.Mic, ref *echo.EchoReference) (*echo.EchoCancelledSource, error) {
	aec, err := echo.NewEchoCanceller(echo.EchoOptions{TailLength: cfg.AECTail.Duration, ResidualSuppression: cfg.AECSuppress})
	if err != nil {
		return nil, fmt.Errorf("echo canceller (audio.aec): %w", err)
	}
	src, err := echo.NewEchoCancelledSource(lentMic{mic}, ref, aec)
	if err != nil {
		_ = aec.Close()
		return nil, fmt.Errorf("echo canceller (audio.aec): %w", err)
	}
	return src, nil
}

// lentMic lends a Mic to an echo canceller, which reads it (and its
// capture clock) but leaves closing it to the owner.
type lentMic struct {
	*audio.Mic
}

// Close implements audio.Source: the owner closes the Mic.
func (lentMic) Close() error { return nil }

// openSpeaker opens the playback device of audio.backend.
func (a *Audio) openSpeaker(ctx context.Context, cfg config.Audio, device string) error {
	a.speakerOpts = audio.SpeakerOptions{Device: device, Backend: backend(cfg.Backend), Latency: a.latency, Resilience: a.resilience()}
	opts := a.speakerOpts
	if a.Echo != nil { // never a typed nil in the interface
		opts.EchoReference = a.Echo
	}
	sp, err := a.openPlayback(ctx, opts)
	if err != nil {
		return fmt.Errorf("audio output: %w", err)
	}
	a.closers.add(sp.Close)
	a.Speaker = sp
	return nil
}

// backend maps audio.backend to the audio package's name ("" is auto).
func backend(name string) string {
	if name == "auto" {
		return ""
	}
	return name
}

// pick returns the flag's value when set, else the config's.
func pick(flagValue, configValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return configValue
}
