package main

import (
	"context"
	"fmt"
	"time"

	"parley/audio"
	"parley/gpu"
	"parley/pipeline"
)

// openSource opens --input, or the microphone.
func (s *session) openSource(ctx context.Context, opts options) error {
	if opts.input != "" {
		f, err := audio.OpenFile(opts.input, audio.FileOptions{Fast: opts.fast})
		if err != nil {
			return fmt.Errorf("--input: %w", err)
		}
		s.onClose(f.Close)
		s.source = f
		return nil
	}
	mic, err := audio.OpenMic(ctx, audio.MicOptions{
		Device:  pick(opts.inputDevice, s.cfg.Audio.InputDevice),
		Backend: backend(s.cfg.Audio.Backend),
		Buffer:  s.cfg.Audio.CaptureBuffer.Duration,
	})
	if err != nil {
		return fmt.Errorf("audio input: %w", err)
	}
	s.onClose(mic.Close)
	s.source, s.mic = mic, mic
	return nil
}

func (s *session) openSpeaker(ctx context.Context, opts options) error {
	sp, err := audio.OpenSpeaker(ctx, audio.SpeakerOptions{
		Device:  pick(opts.outputDevice, s.cfg.Audio.OutputDevice),
		Backend: backend(s.cfg.Audio.Backend),
	})
	if err != nil {
		return fmt.Errorf("audio output: %w", err)
	}
	s.onClose(sp.Close)
	s.speaker = sp
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

// newPipeline wires the session's parts into a pipeline.
func (s *session) newPipeline(log *pipeline.Log) (*pipeline.Pipeline, error) {
	seg, err := audio.NewSegmenter(segmenterOptions(s.cfg))
	if err != nil {
		return nil, fmt.Errorf("vad: %w", err)
	}
	s.note("listening on %s; VAD %s; ASR %s on %s; TTS %s on %s; answers: %s",
		s.inputName(), s.vadName, s.asr.Name(), s.asr.Device(), s.tts.Name(), s.tts.Device(), s.llmName())
	p, err := pipeline.New(pipeline.Options{
		Source: s.source, VAD: s.vad, Segmenter: segmenterAdapter{seg: seg},
		ASR: s.asr, Responder: s.llm, TTS: s.tts, Player: speakerAdapter{sp: s.speaker},
		Log: log, HalfDuplex: s.cfg.Conversation.HalfDuplex && s.mic != nil,
		EchoTail: echoTail, Notices: s.notices,
		PartialInterval:   s.cfg.ASR.PartialInterval.Duration,
		NewSplitter:       s.newSplitter,
		BargeIn:           s.cfg.Conversation.BargeIn,
		PlaybackThreshold: float32(s.cfg.VAD.PlaybackThreshold),
	})
	s.pipe = p
	return p, err
}

func (s *session) inputName() string {
	if s.mic == nil {
		return "file input"
	}
	d := s.mic.Device()
	return fmt.Sprintf("%s (%s)", d.Name, s.mic.Backend())
}

// gpuWatchInterval is how often memory pressure is checked while running.
const gpuWatchInterval = 2 * time.Second

// run runs the pipeline; meanwhile, when there is a GPU to watch, the GPU
// manager checks free memory and moves the lowest-priority model to the CPU
// under pressure (its state then says why).
func (s *session) run(ctx context.Context, p *pipeline.Pipeline) error {
	if s.llmWatch != nil {
		watchCtx, stop := context.WithCancel(ctx)
		defer stop()
		go func() { _ = s.llmWatch(watchCtx) }()
	}
	if s.gpus != nil && s.gpus.GPUUnavailable() == "" {
		watchCtx, stop := context.WithCancel(ctx)
		defer stop()
		snaps := make(chan gpu.Snapshot)
		go func() { _ = s.gpus.Watch(watchCtx, gpuWatchInterval, snaps) }()
		go func() {
			for {
				select {
				case <-snaps:
				case <-watchCtx.Done():
					return
				}
			}
		}()
	}
	return p.Run(ctx)
}
