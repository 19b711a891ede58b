package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"parley/config"
	"parley/pipeline/asr"
	"parley/pipeline/tts"
)

// Choice is the engine picked for one role, the files it needs and why.
type Choice struct {
	// Engine names the engine: "silero", "energy", "sensevoice",
	// "paraformer", "pocketsphinx", "piper", "flite", or the turn
	// detector: "text" or "smart-turn".
	Engine string
	// Files are what the engine loads; empty for engines built into parley.
	Files Files
	// Reason says why this engine runs, for doctor and the UI.
	Reason string
}

// Files are the model files of a chosen engine.
type Files struct {
	// Dir is the model folder (ONNX ASR).
	Dir string
	// ONNX is the graph the gpu manager loads; "" for CPU-only engines.
	ONNX string
	// Config is the voice's JSON (Piper).
	Config string
}

// Choices are the engines of every role.
type Choices struct {
	// VAD, ASR and TTS are the roles' engines ("" Engine when not chosen).
	VAD, ASR, TTS Choice
	// Turn is the end-of-turn detector.
	Turn Choice
}

// Facts are what the engine choice looks at on this machine; MachineFacts
// reads them from the disk, tests make them up.
type Facts struct {
	// ONNX says whether ONNX Runtime loaded.
	ONNX bool
	// SileroModel is where `make setup` installs Silero (used when
	// vad.model is empty).
	SileroModel string
	// SmartTurnModel is where `parley models pull smart-turn-v3` installs
	// Smart Turn (used when turn.model is empty).
	SmartTurnModel string
	// Exists reports whether a file is there.
	Exists func(path string) bool
	// Installed returns the folder of an installed catalog model.
	Installed func(name string) (dir string, ok bool)
	// ASRModel lists the files of an ONNX ASR model folder.
	ASRModel func(dir string) (asr.ModelFiles, error)
	// Voice finds a Piper voice's graph and JSON in a file or folder.
	Voice func(path string) (onnx, json string, err error)
}

// errNoONNX indicates that an ONNX engine was asked for without ONNX Runtime.
var errNoONNX = errors.New("ONNX Runtime did not load (see onnx.library and parley doctor)")

// engine is one row of a role's preference list.
type engine struct {
	// name is the config value that selects the engine.
	name string
	// label names the engine in a fallback reason ("no Piper model...",
	// "flite, because ...").
	label string
	// catalog are the catalog models the engine loads, the CPU's choice
	// first; the first is suggested when none is installed.
	catalog []string
	// find locates the engine's files; nil for an engine built into parley,
	// which is always there and ends the list.
	find func(cfg config.Config, f Facts, e engine) (Choice, error)
}

// vadEngines is the VAD preference list, best first.
func vadEngines() []engine {
	return []engine{
		{name: "silero", label: "Silero", catalog: []string{"silero-vad-v5"}, find: findSilero},
		{name: "energy", label: "energy detector"},
	}
}

// asrEngines is the ASR preference list, best first.
func asrEngines() []engine {
	return []engine{
		{name: "sensevoice", label: "SenseVoice", catalog: []string{"sensevoice-small-int8", "sensevoice-small-fp32"},
			find: onnxASR("asr.sensevoice.model_dir", func(c config.Config) string { return c.ASR.SenseVoice.ModelDir })},
		{name: "paraformer", label: "Paraformer", catalog: []string{"paraformer-large-zh-int8", "paraformer-large-en"},
			find: onnxASR("asr.paraformer.model_dir", func(c config.Config) string { return c.ASR.Paraformer.ModelDir })},
		{name: "pocketsphinx", label: "pocketsphinx"},
	}
}

// ttsEngines is the TTS preference list, best first.
func ttsEngines() []engine {
	return []engine{
		{name: "piper", label: "Piper", catalog: []string{"piper-en_US-lessac-medium"}, find: findPiper},
		{name: "flite", label: "flite"},
	}
}

// ChooseVAD applies vad.engine: Silero when asked for (or, with auto, when
// its model and ONNX Runtime are there), else the energy detector.
func ChooseVAD(cfg config.Config, f Facts) (Choice, error) {
	return choose("vad", cfg.VAD.Engine, vadEngines(), cfg, f)
}

// ChooseASR applies asr.engine: an ONNX engine when asked for (or, with
// auto, the first installed), else pocketsphinx.
func ChooseASR(cfg config.Config, f Facts) (Choice, error) {
	return choose("asr", cfg.ASR.Engine, asrEngines(), cfg, f)
}

// ChooseTTS applies tts.engine: Piper when asked for (or, with auto, when a
// voice is installed), else flite.
func ChooseTTS(cfg config.Config, f Facts) (Choice, error) {
	return choose("tts", cfg.TTS.Engine, ttsEngines(), cfg, f)
}

// choose walks a preference list: the engine asked for by name, or with
// "auto" the first whose files are there, ending with the built-in one.
func choose(role, want string, order []engine, cfg config.Config, f Facts) (Choice, error) {
	var tried []engine
	var errs []error
	for _, e := range order {
		if want != "auto" && want != e.name {
			continue
		}
		if e.find == nil {
			reason := fmt.Sprintf("%s.engine = %q", role, e.name)
			if want == "auto" {
				reason = e.label + ", because " + whyNot(tried, errs)
			}
			return Choice{Engine: e.name, Reason: reason}, nil
		}
		c, err := e.find(cfg, f, e)
		if err == nil {
			return c, nil
		}
		if want == e.name {
			return Choice{}, fmt.Errorf("%s.engine = %q: %w", role, e.name, err)
		}
		tried, errs = append(tried, e), append(errs, err)
	}
	return Choice{}, fmt.Errorf("%s.engine = %q: no such engine", role, want)
}

// whyNot says why none of the preferred engines can run: the one reason
// when one was tried or all share it, else that none is installed.
func whyNot(tried []engine, errs []error) string {
	if len(errs) == 1 {
		return errs[0].Error()
	}
	if allNoONNX(errs) {
		return errNoONNX.Error()
	}
	labels := make([]string, len(tried))
	for i, e := range tried {
		labels[i] = e.label
	}
	return fmt.Sprintf("no %s model is installed (parley models pull %s)", joinOr(labels), tried[0].catalog[0])
}

func allNoONNX(errs []error) bool {
	for _, err := range errs {
		if !errors.Is(err, errNoONNX) {
			return false
		}
	}
	return len(errs) > 0
}

// joinOr joins names as "a", "a or b", "a, b or c".
func joinOr(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// findSilero finds the Silero model: vad.model or where setup installs it.
func findSilero(cfg config.Config, f Facts, _ engine) (Choice, error) {
	path, err := sileroFile(cfg, f)
	if err != nil {
		return Choice{}, err
	}
	if !f.ONNX {
		return Choice{}, fmt.Errorf("Silero needs ONNX Runtime: %w", errNoONNX)
	}
	return Choice{Engine: "silero", Files: Files{ONNX: path}, Reason: "Silero VAD v5 at " + path}, nil
}

// sileroFile is vad.model or the file `make setup` installs, and why it
// cannot be used when it is not there.
func sileroFile(cfg config.Config, f Facts) (string, error) {
	path := cfg.VAD.Model
	if path == "" {
		path = f.SileroModel
	}
	if !f.Exists(path) {
		return path, fmt.Errorf("the Silero model is missing: %s (run make setup, or set vad.model)", path)
	}
	return path, nil
}

// onnxASR finds an ONNX ASR engine's model folder (the one the config
// key names, else the first installed catalog model) and its graph for
// asr.device: int8 on the CPU, fp32 on a GPU when there.
func onnxASR(key string, dir func(config.Config) string) func(config.Config, Facts, engine) (Choice, error) {
	return func(cfg config.Config, f Facts, e engine) (Choice, error) {
		if !f.ONNX {
			return Choice{}, errNoONNX
		}
		cpu := cfg.ASR.Device == "cpu"
		catalog := e.catalog
		if !cpu {
			catalog = slices.Clone(catalog)
			slices.Reverse(catalog) // fp32 first for the GPU
		}
		folder := dir(cfg)
		if folder == "" {
			folder = firstInstalled(f, catalog)
		}
		if folder == "" {
			return Choice{}, fmt.Errorf("no %s model: set %s or run parley models pull %s: %w", e.name, key, catalog[0], asr.ErrModelMissing)
		}
		files, err := f.ASRModel(folder)
		if err != nil {
			return Choice{}, fmt.Errorf("%s (%s): %w", folder, key, err)
		}
		return Choice{Engine: e.name, Files: Files{Dir: folder, ONNX: files.Model(cpu)},
			Reason: fmt.Sprintf("%s from %s", e.name, folder)}, nil
	}
}

// firstInstalled returns the folder of the first installed catalog model.
func firstInstalled(f Facts, names []string) string {
	for _, n := range names {
		if dir, ok := f.Installed(n); ok {
			return dir
		}
	}
	return ""
}

// findPiper finds the Piper voice: tts.piper.model or the installed one.
func findPiper(cfg config.Config, f Facts, e engine) (Choice, error) {
	if !f.ONNX {
		return Choice{}, errNoONNX
	}
	path := cfg.TTS.Piper.Model
	if path == "" {
		path = firstInstalled(f, e.catalog)
	}
	if path == "" {
		return Choice{}, fmt.Errorf("no Piper voice is installed (parley models pull %s, or set tts.piper.model): %w", e.catalog[0], tts.ErrNoVoice)
	}
	onnx, json, err := f.Voice(path)
	if err != nil {
		return Choice{}, fmt.Errorf("tts.piper.model %s: %w", path, err)
	}
	return Choice{Engine: "piper", Files: Files{ONNX: onnx, Config: json}, Reason: "Piper voice " + onnx}, nil
}

// SileroModel is vad.model, or where `make setup` installs Silero, and
// why it cannot be used when the file is not there.
func SileroModel(cfg config.Config) (string, error) {
	return sileroFile(cfg, MachineFacts(true))
}
