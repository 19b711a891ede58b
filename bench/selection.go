package bench

import (
	"context"
	"slices"

	"parley/models"
	"parley/pipeline/asr"
)

// Selection says which models a benchmark runs: the embedded engines, the
// installed catalog models parley has a target for, and models given by
// folder, on each device.
type Selection struct {
	// Kinds are the model kinds to run.
	Kinds []Kind
	// Devices are the devices to compare, the CPU first.
	Devices []string
	// Batches and Parallels are the grid of ONNX ASR (Parallels also Piper).
	Batches, Parallels []int
	// Loader loads ONNX models; nil when ONNX Runtime did not load (Check
	// then says why in the rows).
	Loader ModelLoader
	// Check says whether ONNX models can run on a device.
	Check GPUCheck
	// SileroModel is Silero's file; SileroMissing why it cannot be loaded
	// ("" when it is there).
	SileroModel, SileroMissing string
	// Pocketsphinx configures the embedded recogniser.
	Pocketsphinx asr.PocketsphinxOptions
	// FliteVoice is the embedded synthesiser's voice.
	FliteVoice string
	// ASRModels and TTSModels are folders (or Piper .onnx files) to run
	// besides the installed catalog models.
	ASRModels, TTSModels []string
}

// TargetMaker builds one model's target on a device.
type TargetMaker func(ctx context.Context, device string) Target

// Targets builds every selected model on every device, in kind order (VAD,
// ASR, TTS).
func (s Selection) Targets(ctx context.Context) []Target {
	var out []Target
	for _, kind := range []Kind{KindVAD, KindASR, KindTTS} {
		if !slices.Contains(s.Kinds, kind) {
			continue
		}
		for _, mk := range s.Makers(kind) {
			for _, dev := range s.Devices {
				out = append(out, mk(ctx, dev))
			}
		}
	}
	return out
}

// SoakTarget is a kind's model on the first device, preferring an ONNX
// model (it can switch devices) over the embedded engine.
func (s Selection) SoakTarget(ctx context.Context, kind Kind) Target {
	makers := s.Makers(kind)
	t := makers[0](ctx, s.Devices[0])
	for _, mk := range makers[1:] {
		if c := mk(ctx, s.Devices[0]); c.Missing == "" {
			return c
		}
	}
	return t
}

// Makers lists the models of a kind: the embedded engine first, then every
// given and installed ONNX model that has a target.
func (s Selection) Makers(kind Kind) []TargetMaker {
	if kind == KindVAD {
		return []TargetMaker{s.onnx(func(d string) Target {
			t := SileroTarget(s.Loader, s.SileroModel, d)
			t.Missing = s.SileroMissing
			return t
		})}
	}
	out := []TargetMaker{func(_ context.Context, d string) Target { return FliteTarget(s.FliteVoice, d) }}
	given := s.TTSModels
	if kind == KindASR {
		out = []TargetMaker{func(_ context.Context, d string) Target { return PocketsphinxTarget(s.Pocketsphinx, d) }}
		given = s.ASRModels
	}
	for _, m := range onnxModels(kind, given) {
		if build := s.onnxTarget(m.engine); build != nil {
			out = append(out, s.onnx(func(d string) Target { return build(m.dir, d) }))
		}
	}
	return out
}

// onnxTarget returns the target of an ONNX engine's model folder; nil for
// an engine that has none yet (Kokoro), whose models are left out.
func (s Selection) onnxTarget(engine string) func(dir, device string) Target {
	switch engine {
	case "sensevoice", "paraformer": // ONNXASRTarget tells them apart
		return func(dir, d string) Target { return ONNXASRTarget(s.Loader, dir, d, s.Batches, s.Parallels) }
	case "piper":
		return func(dir, d string) Target { return PiperTarget(s.Loader, dir, d, s.Parallels) }
	}
	return nil
}

// onnx wraps an ONNX model's target so that a device it cannot use (no
// runtime, no CUDA provider, no GPU) gives a row that says why. build only
// describes the target; nothing loads before Open.
func (s Selection) onnx(build func(device string) Target) TargetMaker {
	return func(ctx context.Context, device string) Target {
		t := build(device)
		if why := s.Check.Missing(ctx, device); why != "" {
			t.Missing, t.Open = why, nil
		}
		return t
	}
}

// onnxModel is a model folder and the engine that loads it.
type onnxModel struct{ engine, dir string }

// onnxModels is the given folders (read by the kind's first ONNX engine)
// plus the installed catalog models of the kind.
func onnxModels(kind Kind, given []string) []onnxModel {
	engine := map[Kind]string{KindASR: "sensevoice", KindTTS: "piper"}[kind]
	var out []onnxModel
	for _, g := range given {
		if g != "" {
			out = append(out, onnxModel{engine, g})
		}
	}
	for _, entry := range models.Catalog() {
		if dir, ok := models.Installed(entry.Name); ok && entry.Kind == models.Kind(kind) {
			out = append(out, onnxModel{entry.Engine, dir})
		}
	}
	return out
}
