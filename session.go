package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"parley/audio"
	"parley/config"
	"parley/gpu"
	"parley/models"
	"parley/pipeline"
	"parley/pipeline/asr"
	"parley/pipeline/llm"
	"parley/pipeline/tts"
	"parley/pipeline/turn"
)

// session is everything one run of parley needs, built from the config.
type session struct {
	cfg      config.Config
	stateDir string
	rt       *gpu.Runtime
	monitor  *gpu.Monitor
	gpus     *gpu.Manager
	vad      pipeline.VAD
	vadName  string
	// The engines chosen for each role, and why.
	vadChoice, asrChoice, ttsChoice modelChoice
	// llmWatch probes an unreachable LLM server while parley runs (nil
	// when there is nothing to probe).
	llmWatch func(context.Context) error
	// pipe is the running pipeline, for notices from background checks.
	pipe    *pipeline.Pipeline
	asr     asr.Engine
	tts     tts.Engine
	llm     llm.Responder
	source  pipeline.Source
	mic     *audio.Mic
	echoRef *audio.EchoReference // the played signal, for the echo canceller
	speaker *audio.Speaker
	log     *pipeline.Log
	notices []string
	closers []func() error

	// asrRuns is how many ASR runs share the CPU cores: 0 or 1 for the
	// live conversation, --parallel for parley transcribe.
	asrRuns int
	// turnChoice and turn are the end-of-turn detector (session_turn.go).
	turnChoice modelChoice
	turn       turn.Detector
}

// startConversation opens a session, its conversation log and the pipeline
// that joins them; the caller closes the session, which closes the rest.
func startConversation(ctx context.Context, loaded config.Loaded, opts options) (*session, *pipeline.Pipeline, error) {
	s, err := openSession(ctx, loaded, opts)
	if err != nil {
		return nil, nil, err
	}
	log, err := pipeline.OpenLog(s.stateDir, time.Now())
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	s.log = log
	s.onClose(log.Close)
	p, err := s.newPipeline(log)
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return s, p, nil
}

// openSession builds the engines first (a bad model fails before any audio
// device opens), then the audio source and the speaker.
func openSession(ctx context.Context, loaded config.Loaded, opts options) (*session, error) {
	s := &session{cfg: loaded.Config, stateDir: stateDir(loaded.Config)}
	if err := os.MkdirAll(s.stateDir, 0o755); err != nil {
		return nil, fmt.Errorf("state folder %s (log.dir): %w", s.stateDir, err)
	}
	steps := []func(context.Context, options) error{s.openRuntime, s.openModels, s.openVAD, s.openASR, s.openTurn, s.openTTS, s.openLLM, s.openSource, s.openSpeaker}
	for _, step := range steps {
		if err := step(ctx, opts); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// stateDir is log.dir, or $XDG_STATE_HOME/parley.
func stateDir(cfg config.Config) string {
	if cfg.Log.Dir != "" {
		return cfg.Log.Dir
	}
	return pipeline.DefaultLogDir()
}

// Close releases everything in reverse order of opening.
func (s *session) Close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		_ = s.closers[i]()
	}
	s.closers = nil
}

func (s *session) onClose(f func() error) {
	s.closers = append(s.closers, f)
}

func (s *session) note(format string, args ...any) {
	s.notices = append(s.notices, fmt.Sprintf(format, args...))
}

// openRuntime loads ONNX Runtime and NVML; without them parley still runs
// (energy VAD, no GPU gauges) and says why.
func (s *session) openRuntime(ctx context.Context, _ options) error {
	s.monitor = gpu.NewMonitor(gpu.MonitorOptions{})
	s.onClose(func() error { s.monitor.Close(); return nil })
	rt, err := gpu.NewRuntime(ctx, gpu.RuntimeOptions{
		LibraryPath:    s.cfg.ONNX.Library,
		IntraOpThreads: s.cfg.ONNX.IntraOpThreads,
		InterOpThreads: s.cfg.ONNX.InterOpThreads,
	})
	if err != nil {
		s.note("ONNX Runtime unavailable: %v", err)
		return nil
	}
	s.rt = rt
	s.note("%s", describeRuntime(rt.Info()))
	return nil
}

// describeRuntime names the ONNX Runtime in use and its execution providers.
func describeRuntime(info gpu.RuntimeInfo) string {
	parts := make([]string, 0, len(info.Providers))
	for _, p := range info.Providers {
		switch {
		case p.Available:
			parts = append(parts, p.Name)
		case strings.Contains(p.Reason, "not probed"):
		default:
			parts = append(parts, p.Name+" unavailable ("+firstLine(p.Reason)+")")
		}
	}
	return fmt.Sprintf("ONNX Runtime %s; execution providers: %s", info.Version, strings.Join(parts, ", "))
}

// firstLine shortens a library's error text to its first 100 characters.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return s
}

// vadModelPath is vad.model or the file `make setup` installs.
func vadModelPath(cfg config.Config) string {
	if cfg.VAD.Model != "" {
		return cfg.VAD.Model
	}
	return models.SileroVADPath()
}

// openVAD builds the chosen VAD: Silero on the gpu manager's "vad" model,
// or the energy detector.
func (s *session) openVAD(context.Context, options) error {
	if s.vadChoice.engine == "silero" {
		model, err := s.gpus.Model("vad")
		if err != nil {
			return err
		}
		silero, err := audio.NewSileroVAD(model)
		if err != nil {
			return fmt.Errorf("Silero model %s: %w", s.vadChoice.onnx, err)
		}
		s.vad, s.vadName = silero, "silero"
		return nil
	}
	energy, err := audio.NewEnergyVAD(audio.DefaultEnergyOptions())
	if err != nil {
		return fmt.Errorf("energy VAD: %w", err)
	}
	s.vad, s.vadName = energy, "energy"
	return nil
}

// gpuOptions maps the [gpu] table to the gpu package's options.
func (s *session) gpuOptions() gpu.Options {
	g := s.cfg.GPU
	return gpu.Options{
		Enabled: g.Enabled, Device: g.Device, MemoryFraction: g.MemoryFraction, Interleave: g.Interleave,
		FallbackToCPU: g.FallbackToCPU, MinFreeMiB: g.MinFreeMiB,
	}
}

// openASR builds the chosen speech recogniser.
func (s *session) openASR(ctx context.Context, _ options) error {
	engine, err := s.newASR(ctx)
	if err != nil {
		return fmt.Errorf("ASR: %w", err)
	}
	s.onClose(engine.Close)
	s.asr = engine
	s.note("ASR: %s", s.asrChoice.reason)
	return nil
}

func (s *session) newASR(ctx context.Context) (asr.Engine, error) {
	if s.asrChoice.onnx == "" {
		ps := s.cfg.ASR.Pocketsphinx
		return asr.NewPocketsphinx(ctx, asr.PocketsphinxOptions{
			ModelDir: ps.ModelDir, Dict: ps.Dict, LM: ps.LM,
			LogFile: filepath.Join(s.stateDir, "pocketsphinx.log"),
		})
	}
	model, err := s.gpus.Model("asr")
	if err != nil {
		return nil, err
	}
	mo := asr.ModelOptions{Dir: s.asrChoice.dir, PreferInt8: s.cfg.ASR.Device == "cpu", Runner: model}
	if s.asrChoice.engine == "paraformer" {
		return asr.NewParaformer(ctx, asr.ParaformerOptions{ModelOptions: mo})
	}
	sv := s.cfg.ASR.SenseVoice
	return asr.NewSenseVoice(ctx, asr.SenseVoiceOptions{ModelOptions: mo, Language: sv.Language, ITN: sv.ITN})
}

// openTTS builds the chosen speech synthesiser.
func (s *session) openTTS(ctx context.Context, _ options) error {
	engine, err := s.newTTS(ctx)
	if err != nil {
		return fmt.Errorf("TTS: %w", err)
	}
	s.onClose(engine.Close)
	s.tts = engine
	s.note("TTS: %s", s.ttsChoice.reason)
	return nil
}

func (s *session) newTTS(ctx context.Context) (tts.Engine, error) {
	if s.ttsChoice.engine != "piper" {
		return tts.NewFlite(ctx, tts.FliteOptions{Voice: s.cfg.TTS.Flite.Voice})
	}
	model, err := s.gpus.Model("tts")
	if err != nil {
		return nil, err
	}
	p := s.cfg.TTS.Piper
	return tts.NewPiper(ctx, tts.PiperOptions{ConfigPath: s.ttsChoice.json, Runner: model,
		LengthScale: p.LengthScale, NoiseScale: p.NoiseScale, NoiseW: p.NoiseW, Speaker: p.Speaker})
}
