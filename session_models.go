package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"

	"parley/gpu"
	"parley/models"
	"parley/pipeline/asr"
	"parley/pipeline/tts"
)

// modelChoice is an engine chosen for a role, with the files it needs and
// why it was chosen.
type modelChoice struct {
	engine string // "silero", "sensevoice", "paraformer", "piper", or a CPU engine
	dir    string // model folder (ASR)
	onnx   string // the ONNX graph the gpu manager loads ("" for CPU engines)
	json   string // Piper's voice config
	reason string // why this engine, for doctor and the UI
}

// errNoONNX indicates that an ONNX engine was asked for without ONNX Runtime.
var errNoONNX = errors.New("ONNX Runtime did not load (see onnx.library and parley doctor)")

// openModels chooses the engines and loads every ONNX model (VAD, ASR, TTS)
// through one gpu manager, which shares the GPU's memory between them and
// moves them between devices.
func (s *session) openModels(ctx context.Context, _ options) error {
	var err error
	if s.vadChoice, err = s.chooseVAD(); err != nil {
		return err
	}
	if s.asrChoice, err = s.chooseASR(); err != nil {
		return err
	}
	if s.ttsChoice, err = s.chooseTTS(); err != nil {
		return err
	}
	if s.turnChoice, err = s.chooseTurn(); err != nil {
		return err
	}
	specs := s.modelSpecs()
	if len(specs) == 0 {
		return nil
	}
	mgr, err := gpu.NewManager(ctx, gpu.ManagerDeps{Runtime: s.rt, Monitor: s.monitor}, s.gpuOptions(), specs)
	if err != nil {
		return fmt.Errorf("load models: %w", err)
	}
	s.onClose(mgr.Close)
	s.gpus = mgr
	return nil
}

// modelSpecs lists the ONNX models to load, each on its configured device.
func (s *session) modelSpecs() []gpu.ModelSpec {
	var specs []gpu.ModelSpec
	add := func(name string, c modelChoice, device string, threads int) {
		if c.onnx == "" {
			return
		}
		specs = append(specs, gpu.ModelSpec{Name: name, Path: c.onnx, Device: device,
			Weight: s.cfg.GPU.Weights[name], IntraOpThreads: threads, InterOpThreads: 1})
	}
	cores := runtime.NumCPU()
	add("vad", s.vadChoice, s.cfg.VAD.Device, 1)
	add("asr", s.asrChoice, s.cfg.ASR.Device, s.cfg.ONNX.IntraOpFor(s.asrRuns, cores))
	add("tts", s.ttsChoice, s.cfg.TTS.Device, s.cfg.ONNX.IntraOpFor(1, cores))
	add("turn", s.turnChoice, s.cfg.Turn.Device, s.cfg.ONNX.IntraOpFor(1, cores))
	return specs
}

// chooseVAD picks Silero when its model and ONNX Runtime are there.
func (s *session) chooseVAD() (modelChoice, error) {
	energy := modelChoice{engine: "energy", reason: `vad.engine = "energy"`}
	if s.cfg.VAD.Engine == "energy" {
		return energy, nil
	}
	path := vadModelPath(s.cfg)
	var problem error
	if _, err := os.Stat(path); err != nil {
		problem = fmt.Errorf("the Silero model is missing: %s (run make setup, or set vad.model)", path)
	} else if s.rt == nil {
		problem = fmt.Errorf("Silero needs ONNX Runtime: %w", errNoONNX)
	}
	if problem == nil {
		return modelChoice{engine: "silero", onnx: path, reason: "Silero VAD v5 at " + path}, nil
	}
	if s.cfg.VAD.Engine == "silero" {
		return modelChoice{}, fmt.Errorf("vad.engine = \"silero\": %w", problem)
	}
	energy.reason = "energy detector, because " + problem.Error()
	s.note("VAD: %s", energy.reason)
	return energy, nil
}

// chooseASR applies asr.engine: an ONNX engine when asked for (or, with
// auto, when installed), else pocketsphinx.
func (s *session) chooseASR() (modelChoice, error) {
	want := s.cfg.ASR.Engine
	if want == "pocketsphinx" {
		return modelChoice{engine: "pocketsphinx", reason: `asr.engine = "pocketsphinx"`}, nil
	}
	for _, engine := range []string{"sensevoice", "paraformer"} {
		if want != "auto" && want != engine {
			continue
		}
		c, err := s.onnxASR(engine)
		if err == nil {
			return c, nil
		}
		if want == engine {
			return modelChoice{}, fmt.Errorf("asr.engine = %q: %w", engine, err)
		}
	}
	reason := "no SenseVoice or Paraformer model is installed (parley models pull sensevoice-small-int8)"
	if s.rt == nil {
		reason = errNoONNX.Error()
	}
	return modelChoice{engine: "pocketsphinx", reason: "pocketsphinx, because " + reason}, nil
}

// onnxASR finds the model folder of an ONNX ASR engine.
func (s *session) onnxASR(engine string) (modelChoice, error) {
	if s.rt == nil {
		return modelChoice{}, errNoONNX
	}
	dir, key, catalog := s.cfg.ASR.SenseVoice.ModelDir, "asr.sensevoice.model_dir",
		[]string{"sensevoice-small-int8", "sensevoice-small-fp32"}
	if engine == "paraformer" {
		dir, key, catalog = s.cfg.ASR.Paraformer.ModelDir, "asr.paraformer.model_dir",
			[]string{"paraformer-large-zh-int8", "paraformer-large-en"}
	}
	if s.cfg.ASR.Device != "cpu" {
		catalog[0], catalog[1] = catalog[1], catalog[0] // fp32 first for the GPU
	}
	if dir == "" {
		dir = installedDir(catalog)
	}
	if dir == "" {
		return modelChoice{}, fmt.Errorf("no %s model: set %s or run parley models pull %s: %w", engine, key, catalog[0], asr.ErrModelMissing)
	}
	files, err := asr.FindModel(dir)
	if err != nil {
		return modelChoice{}, fmt.Errorf("%s (%s): %w", dir, key, err)
	}
	return modelChoice{engine: engine, dir: dir, onnx: files.Model(s.cfg.ASR.Device == "cpu"),
		reason: fmt.Sprintf("%s from %s", engine, dir)}, nil
}

// installedDir returns the folder of the first installed catalog model.
func installedDir(names []string) string {
	for _, n := range names {
		if dir, ok := models.Installed(n); ok {
			return dir
		}
	}
	return ""
}

// chooseTTS applies tts.engine: Piper when asked for (or, with auto, when a
// voice is installed), else flite.
func (s *session) chooseTTS() (modelChoice, error) {
	want := s.cfg.TTS.Engine
	flite := modelChoice{engine: "flite", reason: `tts.engine = "flite"`}
	if want == "flite" {
		return flite, nil
	}
	c, err := s.piperVoice()
	if err == nil {
		return c, nil
	}
	if want == "piper" {
		return modelChoice{}, fmt.Errorf("tts.engine = \"piper\": %w", err)
	}
	flite.reason = "flite, because " + err.Error()
	return flite, nil
}

// piperVoice finds the Piper voice: tts.piper.model or the installed one.
func (s *session) piperVoice() (modelChoice, error) {
	if s.rt == nil {
		return modelChoice{}, errNoONNX
	}
	path := s.cfg.TTS.Piper.Model
	if path == "" {
		path = installedDir([]string{"piper-en_US-lessac-medium"})
	}
	if path == "" {
		return modelChoice{}, fmt.Errorf("no Piper voice is installed (parley models pull piper-en_US-lessac-medium, or set tts.piper.model): %w", tts.ErrNoVoice)
	}
	onnx, json, err := tts.FindVoice(path)
	if err != nil {
		return modelChoice{}, fmt.Errorf("tts.piper.model %s: %w", path, err)
	}
	return modelChoice{engine: "piper", onnx: onnx, json: json, reason: "Piper voice " + onnx}, nil
}
