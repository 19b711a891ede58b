package main

import (
	"context"
	"fmt"
	"math"
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
	s.mic = mic
	if !s.cfg.Audio.AEC {
		s.onClose(mic.Close)
		s.source = mic
		return nil
	}
	return s.cancelEcho(mic)
}

// cancelEcho reads the microphone through the echo canceller, with what the
// speaker plays as its reference.
func (s *session) cancelEcho(mic *audio.Mic) error {
	a := s.cfg.Audio
	aec, err := audio.NewEchoCanceller(audio.EchoOptions{TailLength: a.AECTail.Duration, ResidualSuppression: a.AECSuppress})
	if err != nil {
		_ = mic.Close()
		return fmt.Errorf("echo canceller (audio.aec): %w", err)
	}
	s.echoRef = audio.NewEchoReference(audio.EchoReferenceOptions{Latency: a.AECLatency.Duration})
	src, err := audio.NewEchoCancelledSource(mic, s.echoRef, aec)
	if err != nil {
		_ = aec.Close()
		_ = mic.Close()
		return fmt.Errorf("echo canceller (audio.aec): %w", err)
	}
	s.onClose(src.Close)
	s.source = src
	return nil
}

func (s *session) openSpeaker(ctx context.Context, opts options) error {
	sp, err := audio.OpenSpeaker(ctx, audio.SpeakerOptions{
		Device:        pick(opts.outputDevice, s.cfg.Audio.OutputDevice),
		Backend:       backend(s.cfg.Audio.Backend),
		EchoReference: s.echoRef,
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
	seg, err := audio.NewSegmenter(liveSegmenterOptions(s.cfg))
	if err != nil {
		return nil, fmt.Errorf("vad: %w", err)
	}
	s.note("listening on %s; VAD %s; ASR %s on %s; TTS %s on %s; answers: %s",
		s.inputName(), s.vadName, s.asr.Name(), s.asr.Device(), s.tts.Name(), s.tts.Device(), s.llmName())
	p, err := pipeline.New(pipeline.Options{
		Source: s.source, VAD: s.vad, Segmenter: segmenterAdapter{seg: seg},
		ASR: s.asr, Responder: s.llm, TTS: s.tts, Player: latencySpeaker{speakerAdapter{sp: s.speaker}},
		Turn: s.turn, Speculate: s.cfg.Turn.SpeculateAfter.Duration > 0,
		Log: log, HalfDuplex: s.cfg.Conversation.HalfDuplex && s.mic != nil,
		EchoTail: echoTail, Notices: s.notices,
		PartialInterval:   s.cfg.ASR.PartialInterval.Duration,
		NewSplitter:       s.newSplitter,
		BargeIn:           s.cfg.Conversation.BargeIn,
		PlaybackThreshold: float32(s.cfg.VAD.PlaybackThreshold),
		TalkingOver:       s.talkingOver(),
		BargeInLevel:      float32(math.Pow(10, s.cfg.VAD.BargeInLevel/20)),
	})
	s.pipe = p
	return p, err
}

// doubleTalkDB is the most the echo canceller may have removed from the
// last ~30 ms for it to count as someone talking over parley: echo alone is
// cut by 15 dB or more, a voice on top passes nearly whole.
const doubleTalkDB = 6

// talkingOver is the pipeline's double-talk detector, from the echo
// canceller; nil without one (the raised threshold then applies). Until the
// canceller has converged parley's voice passes it almost unchanged, so
// nothing counts as talking over parley.
func (s *session) talkingOver() func() bool {
	src, ok := s.source.(*audio.EchoCancelledSource)
	if !ok {
		return nil
	}
	return func() bool {
		st := src.Stats()
		return st.Converged && !(st.Recent >= doubleTalkDB)
	}
}

func (s *session) inputName() string {
	if s.mic == nil {
		return "file input"
	}
	d := s.mic.Device()
	aec := "echo cancellation off"
	if s.echoRef != nil {
		aec = "echo cancellation on"
	}
	return fmt.Sprintf("%s (%s, %s)", d.Name, s.mic.Backend(), aec)
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
