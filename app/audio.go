package app

import (
	"context"
	"fmt"

	"parley/audio"
	"parley/audio/echo"
	"parley/config"
	"parley/pipeline"
)

// Audio is a conversation's audio ends: what it listens to and what it
// speaks through. Open opens it with the rest; doctor can open it alone.
type Audio struct {
	// Source is what the conversation listens to: a file, the microphone,
	// or the microphone through the echo canceller.
	Source pipeline.Source
	// Mic is the capture device; nil for a file.
	Mic *audio.Mic
	// Echo is the played signal, the echo canceller's reference; nil
	// without echo cancellation.
	Echo *echo.EchoReference
	// Speaker is the playback device.
	Speaker *audio.Speaker

	closers closers
}

// OpenAudio opens the input, then the speaker (which feeds the echo
// canceller's reference). This is where a source and a speaker are chosen:
// --input's WAV file, else the capture and playback devices of
// audio.backend. The caller closes it.
func OpenAudio(ctx context.Context, cfg config.Audio, opts Options) (*Audio, error) {
	a := &Audio{}
	var err error
	if opts.Input != "" {
		err = a.openFile(opts)
	} else {
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

// Close closes the speaker, then the input.
func (a *Audio) Close() error {
	return a.closers.close()
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
	mic, err := audio.OpenMic(ctx, audio.MicOptions{
		Device:  device,
		Backend: backend(cfg.Backend),
		Buffer:  cfg.CaptureBuffer.Duration,
	})
	if err != nil {
		return fmt.Errorf("audio input: %w", err)
	}
	a.Mic = mic
	if !cfg.AEC {
		a.closers.add(mic.Close)
		a.Source = mic
		return nil
	}
	return a.cancelEcho(cfg, mic)
}

// cancelEcho reads the microphone through the echo canceller, with what the
// speaker plays as its reference.
func (a *Audio) cancelEcho(cfg config.Audio, mic *audio.Mic) error {
	aec, err := echo.NewEchoCanceller(echo.EchoOptions{TailLength: cfg.AECTail.Duration, ResidualSuppression: cfg.AECSuppress})
	if err != nil {
		_ = mic.Close()
		return fmt.Errorf("echo canceller (audio.aec): %w", err)
	}
	ref := echo.NewEchoReference(echo.EchoReferenceOptions{Latency: cfg.AECLatency.Duration})
	src, err := echo.NewEchoCancelledSource(mic, ref, aec)
	if err != nil {
		_ = aec.Close()
		_ = mic.Close()
		return fmt.Errorf("echo canceller (audio.aec): %w", err)
	}
	a.closers.add(src.Close)
	a.Source, a.Echo = src, ref
	return nil
}

// openSpeaker opens the playback device of audio.backend.
func (a *Audio) openSpeaker(ctx context.Context, cfg config.Audio, device string) error {
	opts := audio.SpeakerOptions{Device: device, Backend: backend(cfg.Backend)}
	if a.Echo != nil { // never a typed nil in the interface
		opts.EchoReference = a.Echo
	}
	sp, err := audio.OpenSpeaker(ctx, opts)
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

// name describes the input for the start-up notice.
func (a *Audio) name() string {
	if a.Mic == nil {
		return "file input"
	}
	d := a.Mic.Device()
	aec := "echo cancellation off"
	if a.Echo != nil {
		aec = "echo cancellation on"
	}
	return fmt.Sprintf("%s (%s, %s)", d.Name, a.Mic.Backend(), aec)
}

// talkingOver is the pipeline's double-talk detector, the echo
// canceller's; nil without one (the raised threshold then applies).
func (a *Audio) talkingOver() func() bool {
	if src, ok := a.Source.(*echo.EchoCancelledSource); ok {
		return src.TalkingOver
	}
	return nil
}
