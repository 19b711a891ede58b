package app

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"

	"parley/config"
	"parley/pipeline/tts"
)

// kokoroCPUSpeed is why auto leaves Kokoro for Piper on the CPU, from the
// measurements in docs/benchmarks.md.
const kokoroCPUSpeed = "a Kokoro-82M-sized model ran at RTF 1.0-1.6 on one core of a 2-core CPU, " +
	"Piper-medium-sized at 0.10-0.13 (docs/benchmarks.md)"

// kokoroCatalog lists the catalog's Kokoro models, the GPU's choice (fp32)
// first; the CPU takes int8 first.
func kokoroCatalog() []string {
	return []string{"kokoro-v1.0", "kokoro-v1.0-int8"}
}

// findKokoro finds the Kokoro model of tts.kokoro.model ("" is the
// installed one). With auto, Kokoro has two rows: the GPU row (gpuRow)
// takes it only when tts.device is a GPU that can be used, else passes it
// over for Piper, saying why; the CPU row, after Piper, takes it on the
// CPU. Asked for by name, the GPU row takes it on any device.
func findKokoro(gpuRow bool) func(config.Config, Facts, engine) (Choice, error) {
	return func(cfg config.Config, f Facts, e engine) (Choice, error) {
		if !f.ONNX {
			return Choice{}, errNoONNX
		}
		auto, noGPU := cfg.TTS.Engine == "auto", kokoroNoGPU(cfg, f)
		files, err := kokoroFiles(cfg, f, e.catalog)
		switch {
		case err != nil && gpuRow && auto && noGPU != "":
			return Choice{}, errNotHere // the CPU row says what is missing
		case err != nil:
			return Choice{}, err
		case gpuRow && auto && noGPU != "":
			return Choice{}, fmt.Errorf("Kokoro is installed, but auto prefers it only on a GPU: %s; on the CPU %s: %w", noGPU, kokoroCPUSpeed, errPassedOver)
		}
		c := Choice{Engine: "kokoro", Files: Files{ONNX: files.Model, Voices: files.Voices}}
		c.Reason = fmt.Sprintf("Kokoro %s (voice %s) on tts.device = %s", filepath.Base(files.Model), cfg.TTS.Kokoro.Voice, cfg.TTS.Device)
		switch {
		case !gpuRow:
			c.Reason += fmt.Sprintf(", auto's choice on the CPU because no Piper voice can be used (%s); it may speak slower than real time: %s", noGPU, kokoroCPUSpeed)
		case auto:
			c.Reason += ", auto's first choice on a usable GPU"
		case cfg.TTS.Device == "cpu":
			c.Reason += "; on a small CPU it may speak slower than real time: " + kokoroCPUSpeed
		}
		return c, nil
	}
}

// kokoroNoGPU says why tts.device is not a GPU Kokoro can use ("" when it is).
func kokoroNoGPU(cfg config.Config, f Facts) string {
	switch {
	case cfg.TTS.Device == "cpu":
		return `tts.device = "cpu"`
	case f.GPU == nil:
		return fmt.Sprintf("tts.device = %q was not checked", cfg.TTS.Device)
	}
	if why := f.GPU(cfg.TTS.Device); why != "" {
		return fmt.Sprintf("tts.device = %q cannot be used: %s", cfg.TTS.Device, why)
	}
	return ""
}

// kokoroFiles finds tts.kokoro.model, or the installed model: fp32 first
// for a GPU, int8 first for the CPU.
func kokoroFiles(cfg config.Config, f Facts, catalog []string) (tts.KokoroFiles, error) {
	path := cfg.TTS.Kokoro.Model
	if path != "" {
		files, err := f.Kokoro(path)
		if err != nil {
			return files, fmt.Errorf("tts.kokoro.model %s: %w", path, err)
		}
		return files, nil
	}
	if cfg.TTS.Device == "cpu" {
		catalog = slices.Clone(catalog)
		slices.Reverse(catalog)
	}
	return f.Kokoro(firstInstalled(f, catalog))
}

// newKokoro builds Kokoro on the manager's "tts" model; the phonemes its
// vocab lacks are reported through the relay.
func (e *Engines) newKokoro(ctx context.Context) (tts.Engine, error) {
	model, err := e.GPUs.Model("tts")
	if err != nil {
		return nil, err
	}
	k := e.Config.TTS.Kokoro
	return tts.NewKokoro(ctx, tts.KokoroOptions{VoicesPath: e.Choices.TTS.Files.Voices, Runner: model,
		Voice: k.Voice, Speed: k.Speed, Report: e.relay.say})
}

// relay passes what engines report while they run (Kokoro's dropped
// phonemes) to the conversation once it is connected; before that, and
// for commands without one, reports are dropped.
type relay struct {
	mu sync.Mutex
	to func(string)
}

// connect sends later reports to to.
func (r *relay) connect(to func(string)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.to = to
}

// say reports msg.
func (r *relay) say(msg string) {
	r.mu.Lock()
	to := r.to
	r.mu.Unlock()
	if to != nil {
		to(msg)
	}
}
