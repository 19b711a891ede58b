package app

import (
	"context"
	"fmt"

	"parley/audio"
	"parley/audio/echo"
	"parley/config"
	"parley/pipeline"
)

// ends are the conversation's audio ends: what it listens to and what it
// speaks through.
type ends struct {
	source  pipeline.Source
	mic     *audio.Mic          // the capture device; nil for a file
	echoRef *echo.EchoReference // the played signal, for the echo canceller; nil without
	speaker *audio.Speaker
}

// openAudio opens the input, then the speaker (which feeds the echo
// canceller's reference). This is where a source and a speaker are chosen:
// --input's WAV file, else the capture and playback devices of
// audio.backend.
func (a *App) openAudio(ctx context.Context, opts Options) error {
	cfg := a.eng.Config.Audio
	if opts.Input != "" {
		if err := a.openFile(opts); err != nil {
			return err
		}
	} else if err := a.openMic(ctx, cfg, pick(opts.InputDevice, cfg.InputDevice)); err != nil {
		return err
	}
	return a.openSpeaker(ctx, cfg, pick(opts.OutputDevice, cfg.OutputDevice))
}

// openFile reads --input instead of a microphone.
func (a *App) openFile(opts Options) error {
	f, err := audio.OpenFile(opts.Input, audio.FileOptions{Fast: opts.Fast})
	if err != nil {
		return fmt.Errorf("--input: %w", err)
	}
	a.eng.onClose(f.Close)
	a.audio.source = f
	return nil
}

// openMic opens the capture device, read through the echo canceller when
// audio.aec is on.
func (a *App) openMic(ctx context.Context, cfg config.Audio, device string) error {
	mic, err := audio.OpenMic(ctx, audio.MicOptions{
		Device:  device,
		Backend: backend(cfg.Backend),
		Buffer:  cfg.CaptureBuffer.Duration,
	})
	if err != nil {
		return fmt.Errorf("audio input: %w", err)
	}
	a.audio.mic = mic
	if !cfg.AEC {
		a.eng.onClose(mic.Close)
		a.audio.source = mic
		return nil
	}
	return a.cancelEcho(cfg, mic)
}

// cancelEcho reads the microphone through the echo canceller, with what the
// speaker plays as its reference.
func (a *App) cancelEcho(cfg config.Audio, mic *audio.Mic) error {
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
	a.eng.onClose(src.Close)
	a.audio.source, a.audio.echoRef = src, ref
	return nil
}

// openSpeaker opens the playback device of audio.backend.
func (a *App) openSpeaker(ctx context.Context, cfg config.Audio, device string) error {
	opts := audio.SpeakerOptions{Device: device, Backend: backend(cfg.Backend)}
	if a.audio.echoRef != nil { // never a typed nil in the interface
		opts.EchoReference = a.audio.echoRef
	}
	sp, err := audio.OpenSpeaker(ctx, opts)
	if err != nil {
		return fmt.Errorf("audio output: %w", err)
	}
	a.eng.onClose(sp.Close)
	a.audio.speaker = sp
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
func (e ends) name() string {
	if e.mic == nil {
		return "file input"
	}
	d := e.mic.Device()
	aec := "echo cancellation off"
	if e.echoRef != nil {
		aec = "echo cancellation on"
	}
	return fmt.Sprintf("%s (%s, %s)", d.Name, e.mic.Backend(), aec)
}

// talkingOver is the pipeline's double-talk detector, the echo
// canceller's; nil without one (the raised threshold then applies).
func (e ends) talkingOver() func() bool {
	if src, ok := e.source.(*echo.EchoCancelledSource); ok {
		return src.TalkingOver
	}
	return nil
}
