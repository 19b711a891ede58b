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
	// "paraformer", "whisper", "pocketsphinx", "kokoro", "piper", "flite",
	// or the turn detector: "text" or "smart-turn".
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
	// Decoder is Whisper's decoder graph, the gpu manager's "asr-decoder";
	// ONNX is then its encoder.
	Decoder string
	// ONNXData and DecoderData are the external weights files the graphs
	// read (large Whisper models' fp32 graphs; "" when none).
	ONNXData, DecoderData string
	// Voices is Kokoro's voices file.
	Voices string
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
	// Whisper lists the files of a Whisper model folder.
	Whisper func(dir string) (asr.WhisperFiles, error)
	// Kokoro finds a Kokoro model and its voices file in a file or folder.
	Kokoro func(path string) (tts.KokoroFiles, error)
	// Catalog reports whether name is a model of the catalog.
	Catalog func(name string) bool
	// GPU says why an ONNX model cannot run on device ("" when it can);
	// nil when nobody checked, which counts as a GPU that cannot be used.
	GPU func(device string) string
	// Broken are the engines whose model failed to load here, by engine
	// name, and why: "auto" skips them.
	Broken map[string]error
}

// errNoONNX indicates that an ONNX engine was asked for without ONNX Runtime.
var errNoONNX = errors.New("ONNX Runtime did not load (see onnx.library and parley doctor)")

// errPassedOver marks an engine that is installed but that auto leaves for
// a later one here; its message ends up in the reason of the one chosen.
var errPassedOver = errors.New("passed over")

// errNotHere marks a row that auto does not consider here at all (Kokoro's
// GPU row on the CPU when no Kokoro is installed): it is not counted among
// the engines tried.
var errNotHere = errors.New("not considered here")

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
	// when qualifies the row in the auto order ("on the CPU"); "" for none.
	when string
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
		{name: "whisper", label: "Whisper", catalog: whisperCatalog(), find: findWhisper},
		{name: "pocketsphinx", label: "pocketsphinx"},
	}
}

// ttsEngines is the TTS preference list, best first. Kokoro comes twice:
// with auto it goes first only on a GPU, and after Piper on the CPU, where
// it was measured slower than real time (see findKokoro).
func ttsEngines() []engine {
	return []engine{
		{name: "kokoro", label: "Kokoro", catalog: kokoroCatalog(), find: findKokoro(true), when: "on a usable GPU"},
		{name: "piper", label: "Piper", catalog: []string{"piper-en_US-lessac-medium"}, find: findPiper},
		{name: "kokoro", label: "Kokoro", catalog: kokoroCatalog(), find: findKokoro(false), when: "on the CPU"},
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

// ChooseTTS applies tts.engine: the engine asked for, or with auto Kokoro
// on a usable GPU, Piper, Kokoro on the CPU, flite: the first installed.
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
		if err := f.Broken[e.name]; err != nil && want == "auto" {
			tried, errs = append(tried, e), append(errs, err)
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
			return passedOver(c, tried, errs), nil
		}
		if want == e.name {
			return Choice{}, fmt.Errorf("%s.engine = %q: %w", role, e.name, err)
		}
		if !errors.Is(err, errNotHere) {
			tried, errs = append(tried, e), append(errs, err)
		}
	}
	return Choice{}, fmt.Errorf("%s.engine = %q: no such engine", role, want)
}

// whyNot says why none of the preferred engines can run: the one reason
// when one was tried or all share it, the models that failed to load when
// some did, else that none is installed.
func whyNot(tried []engine, errs []error) string {
	if len(errs) == 1 {
		return errs[0].Error()
	}
	if failed := loadFailures(errs); failed != "" {
		return failed
	}
	if allNoONNX(errs) {
		return errNoONNX.Error()
	}
	var labels []string
	for _, e := range tried {
		if !slices.Contains(labels, e.label) {
			labels = append(labels, e.label)
		}
	}
	return fmt.Sprintf("no %s model is installed (parley models pull %s)", joinOr(labels), tried[0].catalog[0])
}

// passedOver adds to c's reason why auto left other engines before it: the
// installed ones it passes over here (c's own earlier row explains itself
// in c's reason) and those whose model failed to load, each said once.
func passedOver(c Choice, tried []engine, errs []error) Choice {
	var said []string
	for i, err := range errs {
		why := ""
		var le *LoadError
		switch {
		case errors.As(err, &le):
			why = le.Error()
		case errors.Is(err, errPassedOver) && tried[i].name != c.Engine:
			why = strings.TrimSuffix(err.Error(), ": "+errPassedOver.Error())
		}
		if why != "" && !slices.Contains(said, why) {
			said = append(said, why)
			c.Reason += "; " + why
		}
	}
	return c
}

// AutoOrder is a role's ("vad", "asr", "tts" or "turn") auto preference order, for
// doctor and the docs, e.g. "Silero > energy detector".
func AutoOrder(role string) string {
	rows := map[string]func() []engine{"vad": vadEngines, "asr": asrEngines, "tts": ttsEngines, "turn": turnEngines}[role]
	if rows == nil {
		return ""
	}
	var names []string
	for _, e := range rows() {
		names = append(names, strings.TrimSpace(e.label+" "+e.when))
	}
	return strings.Join(names, " > ")
}

// loadFailures joins the errors of engines that failed to load, each once
// (Kokoro has two rows), "" if none.
func loadFailures(errs []error) string {
	var failed []string
	for _, err := range errs {
		var le *LoadError
		if errors.As(err, &le) && !slices.Contains(failed, le.Error()) {
			failed = append(failed, le.Error())
		}
	}
	return strings.Join(failed, "; ")
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
