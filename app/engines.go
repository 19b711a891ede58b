package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"parley/audio"
	"parley/config"
	"parley/gpu"
	"parley/pipeline"
	"parley/pipeline/asr"
	"parley/pipeline/tts"
	"parley/pipeline/turn"
)

// Role selects the engines OpenEngines builds.
type Role uint8

// Roles, to be or-ed together.
const (
	// RoleVAD builds the voice activity detector.
	RoleVAD Role = 1 << iota
	// RoleASR builds the speech recogniser.
	RoleASR
	// RoleTTS builds the speech synthesiser.
	RoleTTS
	// RoleTurn builds the end-of-turn detector.
	RoleTurn
)

// Engines are the models one command needs, built from the configuration:
// ONNX Runtime and NVML, and the engines of the roles asked for, every ONNX
// model loaded through one gpu manager that shares the GPU's memory between
// them and moves them between devices.
type Engines struct {
	// Config is the configuration they were built from.
	Config config.Config
	// StateDir is log.dir, or $XDG_STATE_HOME/parley; it exists.
	StateDir string
	// Runtime is ONNX Runtime; nil when it did not load (Notices say why).
	Runtime *gpu.Runtime
	// RuntimeErr is why Runtime did not load.
	RuntimeErr error
	// Monitor reads the GPUs through NVML.
	Monitor *gpu.Monitor
	// GPUs holds the ONNX models; nil when no chosen engine uses one.
	GPUs *gpu.Manager
	// Choices are the engines chosen for every role, and why.
	Choices Choices
	// VAD, ASR and TTS are the engines of the roles asked for (nil otherwise).
	VAD pipeline.VAD
	ASR asr.Engine
	TTS tts.Engine
	// Turn is the end-of-turn detector (nil unless asked for).
	Turn turn.Detector
	// Notices say what was chosen and what fell back, for the user.
	Notices []string
	// Failed are the engines that did not load and were replaced by the
	// next of their role's list (roles whose engine is "auto").
	Failed []*LoadError

	closers closers
	relay   relay            // what engines report while they run
	broken  map[string]error // Failed by engine name, for the choice
}

// OpenEngines builds ONNX Runtime, NVML and the engines of roles (none:
// only the runtime and the monitor). Without ONNX Runtime parley still
// runs (energy VAD, CPU engines) and a notice says why.
func OpenEngines(ctx context.Context, cfg config.Config, roles Role) (*Engines, error) {
	e := &Engines{Config: cfg, StateDir: StateDir(cfg), broken: map[string]error{}}
	if err := os.MkdirAll(e.StateDir, 0o755); err != nil {
		return nil, fmt.Errorf("state folder %s (log.dir): %w", e.StateDir, err)
	}
	e.openRuntime(ctx)
	if roles == 0 {
		return e, nil
	}
	if err := e.openWithFallback(ctx, roles); err != nil {
		_ = e.Close()
		return nil, err
	}
	return e, nil
}

// StateDir is log.dir, or $XDG_STATE_HOME/parley.
func StateDir(cfg config.Config) string {
	if cfg.Log.Dir != "" {
		return cfg.Log.Dir
	}
	return pipeline.DefaultLogDir()
}

// Close releases everything in reverse order of opening.
func (e *Engines) Close() error {
	return e.closers.close()
}

func (e *Engines) onClose(f func() error) {
	e.closers.add(f)
}

// closers are what an opening step must release, in opening order.
type closers []func() error

func (c *closers) add(f func() error) { *c = append(*c, f) }

// close calls them in reverse order, once.
func (c *closers) close() error {
	return c.closeFrom(0)
}

// closeFrom calls those added from index from on, in reverse order, and
// forgets them.
func (c *closers) closeFrom(from int) error {
	var errs []error
	for i := len(*c) - 1; i >= from; i-- {
		errs = append(errs, (*c)[i]())
	}
	*c = (*c)[:from]
	return errors.Join(errs...)
}

func (e *Engines) note(format string, args ...any) {
	e.Notices = append(e.Notices, fmt.Sprintf(format, args...))
}

// openModels chooses the engines of roles and loads their ONNX models.
func (e *Engines) openModels(ctx context.Context, roles Role) error {
	if err := e.choose(ctx, roles); err != nil {
		return err
	}
	specs := e.modelSpecs()
	if len(specs) == 0 {
		return nil
	}
	mgr, err := gpu.NewManager(ctx, gpu.ManagerDeps{Runtime: e.Runtime, Monitor: e.Monitor}, gpuOptions(e.Config.GPU), specs)
	if err != nil {
		return fmt.Errorf("load models: %w", err)
	}
	e.onClose(mgr.Close)
	e.GPUs = mgr
	return nil
}

// choose picks the engines of roles.
func (e *Engines) choose(ctx context.Context, roles Role) error {
	f := MachineFacts(e.Runtime != nil)
	f.GPU = GPUMissing(ctx, e.Runtime, e.Monitor, e.Config.GPU)
	f.Broken = e.broken
	var err error
	c := &e.Choices
	if roles&RoleVAD != 0 {
		if c.VAD, err = ChooseVAD(e.Config, f); err != nil {
			return err
		}
		if c.VAD.Engine == "energy" && e.Config.VAD.Engine != "energy" {
			e.note("VAD: %s", c.VAD.Reason)
		}
	}
	if roles&RoleASR != 0 {
		if c.ASR, err = ChooseASR(e.Config, f); err != nil {
			return err
		}
	}
	if roles&RoleTTS != 0 {
		if c.TTS, err = ChooseTTS(e.Config, f); err != nil {
			return err
		}
	}
	if roles&RoleTurn != 0 {
		c.Turn, err = ChooseTurn(e.Config, f)
	}
	return err
}

// modelSpecs lists the chosen ONNX models, each on its configured device.
func (e *Engines) modelSpecs() []gpu.ModelSpec {
	cfg := e.Config
	var specs []gpu.ModelSpec
	add := func(name string, c Choice, device string, threads int) {
		if c.Files.ONNX == "" {
			return
		}
		specs = append(specs, gpu.ModelSpec{Name: name, Path: c.Files.ONNX, Device: device,
			Weight: cfg.GPU.Weights[name], IntraOpThreads: threads, InterOpThreads: 1})
	}
	live := cfg.ONNX.IntraOpFor(1, runtime.NumCPU()) // every core, unless set (or split by transcribe)
	add("vad", e.Choices.VAD, cfg.VAD.Device, 1)
	add("asr", e.Choices.ASR, cfg.ASR.Device, live)
	specs = withDecoder(specs, e.Choices.ASR)
	add("tts", e.Choices.TTS, cfg.TTS.Device, live)
	// Smart Turn runs while the recogniser finishes and the answer starts:
	// one thread (as pipecat runs it) measured faster here than two.
	add("turn", e.Choices.Turn, cfg.Turn.Device, 1)
	return specs
}

// gpuOptions maps the [gpu] table to the gpu package's options.
func gpuOptions(g config.GPU) gpu.Options {
	return gpu.Options{
		Enabled: g.Enabled, Device: g.Device, MemoryFraction: g.MemoryFraction, Interleave: g.Interleave,
		FallbackToCPU: g.FallbackToCPU, MinFreeMiB: g.MinFreeMiB,
	}
}

// newVAD builds the chosen VAD: Silero on the gpu manager's "vad" model,
// or the energy detector.
func (e *Engines) newVAD() (pipeline.VAD, error) {
	if e.Choices.VAD.Engine == "silero" {
		model, err := e.GPUs.Model("vad")
		if err != nil {
			return nil, err
		}
		silero, err := audio.NewSileroVAD(model)
		if err != nil {
			return nil, fmt.Errorf("Silero model %s: %w", e.Choices.VAD.Files.ONNX, err)
		}
		return silero, nil
	}
	energy, err := audio.NewEnergyVAD(audio.DefaultEnergyOptions())
	if err != nil {
		return nil, fmt.Errorf("energy VAD: %w", err)
	}
	return energy, nil
}

// openEngines builds the chosen engines of roles.
func (e *Engines) openEngines(ctx context.Context, roles Role) (err error) {
	if roles&RoleVAD != 0 {
		if e.VAD, err = e.newVAD(); err != nil {
			return &roleError{"vad", err}
		}
	}
	if roles&RoleASR != 0 {
		if e.ASR, err = build(ctx, e, "ASR", e.Choices.ASR, e.newASR); err != nil {
			return &roleError{"asr", err}
		}
	}
	if roles&RoleTTS != 0 {
		if e.TTS, err = build(ctx, e, "TTS", e.Choices.TTS, e.newTTS); err != nil {
			return &roleError{"tts", err}
		}
	}
	if roles&RoleTurn != 0 {
		if e.Turn, err = e.newTurn(ctx); err != nil {
			return &roleError{"turn", fmt.Errorf("turn detector: %w", err)}
		}
		e.note("turn: %s", e.Choices.Turn.Reason)
	}
	return nil
}

// build makes a role's engine, closed with the rest, and notes why it runs.
func build[E io.Closer](ctx context.Context, e *Engines, role string, c Choice, newEngine func(context.Context) (E, error)) (E, error) {
	engine, err := newEngine(ctx)
	if err != nil {
		return engine, fmt.Errorf("%s: %w", role, err)
	}
	e.onClose(engine.Close)
	e.note("%s: %s", role, c.Reason)
	return engine, nil
}

// newASR builds the chosen recogniser; an ONNX engine runs on the gpu
// manager's "asr" model.
func (e *Engines) newASR(ctx context.Context) (asr.Engine, error) {
	c, cfg := e.Choices.ASR, e.Config.ASR
	if c.Engine == "pocketsphinx" {
		return asr.NewPocketsphinx(ctx, PocketsphinxOptions(e.Config, e.StateDir))
	}
	model, err := e.GPUs.Model("asr")
	if err != nil {
		return nil, err
	}
	mo := asr.ModelOptions{Dir: c.Files.Dir, PreferInt8: cfg.Device == "cpu", Runner: model}
	switch c.Engine {
	case "paraformer":
		return asr.NewParaformer(ctx, asr.ParaformerOptions{ModelOptions: mo})
	case "sensevoice":
		return asr.NewSenseVoice(ctx, asr.SenseVoiceOptions{ModelOptions: mo, Language: cfg.SenseVoice.Language, ITN: cfg.SenseVoice.ITN})
	case "whisper":
		return e.newWhisper(ctx, model)
	}
	return nil, fmt.Errorf("no ASR engine %q", c.Engine)
}

// PocketsphinxOptions maps [asr.pocketsphinx] to the engine's options; its
// log goes to the state folder.
func PocketsphinxOptions(cfg config.Config, stateDir string) asr.PocketsphinxOptions {
	ps := cfg.ASR.Pocketsphinx
	return asr.PocketsphinxOptions{ModelDir: ps.ModelDir, Dict: ps.Dict, LM: ps.LM,
		LogFile: filepath.Join(stateDir, "pocketsphinx.log")}
}

// newTTS builds the chosen synthesiser; an ONNX engine runs on the gpu
// manager's "tts" model.
func (e *Engines) newTTS(ctx context.Context) (tts.Engine, error) {
	c := e.Choices.TTS
	switch c.Engine {
	case "flite":
		return tts.NewFlite(ctx, tts.FliteOptions{Voice: e.Config.TTS.Flite.Voice})
	case "kokoro":
		return e.newKokoro(ctx)
	}
	model, err := e.GPUs.Model("tts")
	if err != nil {
		return nil, err
	}
	switch c.Engine {
	case "piper":
		p := e.Config.TTS.Piper
		return tts.NewPiper(ctx, tts.PiperOptions{ConfigPath: c.Files.Config, Runner: model,
			LengthScale: p.LengthScale, NoiseScale: p.NoiseScale, NoiseW: p.NoiseW, Speaker: p.Speaker})
	}
	return nil, fmt.Errorf("no TTS engine %q", c.Engine)
}

// VADName is the running VAD's engine name ("silero" or "energy").
func (e *Engines) VADName() string {
	return e.Choices.VAD.Engine
}
