package main

import (
	"context"
	"errors"
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
	asr      asr.Engine
	tts      tts.Engine
	llm      llm.Responder
	source   pipeline.Source
	mic      *audio.Mic
	speaker  *audio.Speaker
	log      *pipeline.Log
	notices  []string
	closers  []func() error
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
	steps := []func(context.Context, options) error{s.openRuntime, s.openVAD, s.openASR, s.openTTS, s.openLLM, s.openSource, s.openSpeaker}
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

func (s *session) openVAD(ctx context.Context, _ options) error {
	if s.cfg.VAD.Engine != "energy" {
		err := s.openSilero(ctx)
		if err == nil {
			return nil
		}
		if s.cfg.VAD.Engine == "silero" {
			return err
		}
		s.note("VAD: energy detector, because %v", err)
	}
	energy, err := audio.NewEnergyVAD(audio.DefaultEnergyOptions())
	if err != nil {
		return fmt.Errorf("energy VAD: %w", err)
	}
	s.vad, s.vadName = energy, "energy"
	return nil
}

func (s *session) openSilero(ctx context.Context) error {
	path := vadModelPath(s.cfg)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("the Silero model is missing: %s (run make setup, or set vad.model): %w", path, errors.Unwrap(err))
	}
	if s.rt == nil {
		return fmt.Errorf("Silero needs ONNX Runtime, which did not load (onnx.library)")
	}
	mgr, err := gpu.NewManager(ctx, gpu.ManagerDeps{Runtime: s.rt, Monitor: s.monitor}, s.gpuOptions(),
		[]gpu.ModelSpec{{Name: "vad", Path: path, Device: s.cfg.VAD.Device, Weight: s.cfg.GPU.Weights["vad"],
			IntraOpThreads: 1, InterOpThreads: 1}})
	if err != nil {
		return fmt.Errorf("Silero model %s: %w", path, err)
	}
	s.onClose(mgr.Close)
	model, err := mgr.Model("vad")
	if err != nil {
		return err
	}
	silero, err := audio.NewSileroVAD(model)
	if err != nil {
		return fmt.Errorf("Silero model %s: %w", path, err)
	}
	s.vad, s.gpus, s.vadName = silero, mgr, "silero"
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

func (s *session) openASR(ctx context.Context, _ options) error {
	ps := s.cfg.ASR.Pocketsphinx
	engine, err := asr.NewPocketsphinx(ctx, asr.PocketsphinxOptions{
		ModelDir: ps.ModelDir, Dict: ps.Dict, LM: ps.LM,
		LogFile: filepath.Join(s.stateDir, "pocketsphinx.log"),
	})
	if err != nil {
		return fmt.Errorf("ASR: %w", err)
	}
	s.onClose(engine.Close)
	s.asr = engine
	return nil
}

func (s *session) openTTS(ctx context.Context, _ options) error {
	engine, err := tts.NewFlite(ctx, tts.FliteOptions{Voice: s.cfg.TTS.Flite.Voice})
	if err != nil {
		return fmt.Errorf("TTS: %w", err)
	}
	s.onClose(engine.Close)
	s.tts = engine
	return nil
}

func (s *session) openLLM(context.Context, options) error {
	s.llm = llm.NewOffline(llm.OfflineOptions{})
	return nil
}
