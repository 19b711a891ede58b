package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"parley/config"
	"parley/gpu"
	"parley/pipeline/asr"
)

// decoderModel is the gpu manager's name for Whisper's decoder graph; the
// encoder is "asr". Both have the ASR priority, move together (see toggle)
// and show as one "asr" row (see mergeDecoder).
const decoderModel = "asr-decoder"

// whisperCatalog lists the catalog's Whisper models, smallest first: the
// CPU's choice with auto; a GPU takes the largest installed.
func whisperCatalog() []string {
	return []string{"whisper-tiny.en", "whisper-base.en", "whisper-small", "whisper-large-v3-turbo"}
}

// findWhisper finds the Whisper model of asr.whisper.model (a catalog name
// or a folder; "" is the first installed) and its two graphs for
// asr.device: int8 on the CPU, fp32 on a GPU when the folder has them.
func findWhisper(cfg config.Config, f Facts, e engine) (Choice, error) {
	if !f.ONNX {
		return Choice{}, errNoONNX
	}
	cpu := cfg.ASR.Device == "cpu"
	catalog := slices.Clone(e.catalog)
	if !cpu {
		slices.Reverse(catalog)
	}
	dir, err := whisperDir(cfg.ASR.Whisper.Model, f, catalog)
	if err != nil {
		return Choice{}, err
	}
	files, err := f.Whisper(dir)
	if err != nil {
		return Choice{}, fmt.Errorf("%s (asr.whisper.model): %w", dir, err)
	}
	enc, dec := files.Graphs(cpu)
	c := Choice{Engine: "whisper", Files: Files{Dir: dir, ONNX: enc, Decoder: dec}}
	if enc == files.Encoder {
		c.Files.ONNXData = files.EncoderWeights
	}
	if dec == files.Decoder {
		c.Files.DecoderData = files.DecoderWeights
	}
	c.Reason = fmt.Sprintf("whisper %s from %s (encoder %s, decoder %s; both on asr.device = %s)",
		files.Prefix, dir, filepath.Base(enc), filepath.Base(dec), cfg.ASR.Device)
	return c, nil
}

// whisperDir resolves asr.whisper.model: a catalog name to its installed
// folder, "" to the first installed of catalog; a path stays as it is.
func whisperDir(model string, f Facts, catalog []string) (string, error) {
	switch {
	case model == "":
		if dir := firstInstalled(f, catalog); dir != "" {
			return dir, nil
		}
		return "", fmt.Errorf("no Whisper model is installed (%s): %w", asr.WhisperPullHint, asr.ErrModelMissing)
	case strings.ContainsRune(model, '/'):
		return model, nil
	case f.Catalog != nil && !f.Catalog(model):
		return "", fmt.Errorf("asr.whisper.model = %q is not a catalog model (parley models list shows them; a folder needs a /): %w",
			model, asr.ErrModelMissing)
	}
	if dir, ok := f.Installed(model); ok {
		return dir, nil
	}
	return "", fmt.Errorf("asr.whisper.model = %q is not installed (parley models pull %s): %w", model, model, asr.ErrModelMissing)
}

// withDecoder completes the specs of a Whisper choice: the encoder ("asr",
// the last spec) and its decoder share asr's weight, split by their sizes
// on disk, and both count their external weights in the memory estimate.
func withDecoder(specs []gpu.ModelSpec, c Choice) []gpu.ModelSpec {
	if c.Files.Decoder == "" || len(specs) == 0 {
		return specs
	}
	enc := specs[len(specs)-1]
	dec := enc
	dec.Name, dec.Path, dec.Priority = decoderModel, c.Files.Decoder, gpu.DefaultPriority("asr")
	enc.ExternalData, dec.ExternalData = nonEmpty(c.Files.ONNXData), nonEmpty(c.Files.DecoderData)
	enc.Weight, dec.Weight = splitWeight(enc.Weight, fileBytes(enc), fileBytes(dec))
	specs[len(specs)-1] = enc
	return append(specs, dec)
}

// splitWeight divides w (0 counts as 1, as gpu.MemLimits does) in
// proportion to a and b; halves when neither size is known.
func splitWeight(w float64, a, b int64) (float64, float64) {
	if w <= 0 {
		w = 1
	}
	if a+b <= 0 {
		return w / 2, w / 2
	}
	share := float64(a) / float64(a+b)
	return w * share, w * (1 - share)
}

// fileBytes is the size of a spec's graph and external data on disk.
func fileBytes(s gpu.ModelSpec) int64 {
	var n int64
	for _, p := range append([]string{s.Path}, s.ExternalData...) {
		if st, err := os.Stat(p); err == nil {
			n += st.Size()
		}
	}
	return n
}

func nonEmpty(path string) []string {
	if path == "" {
		return nil
	}
	return []string{path}
}

// newWhisper builds Whisper on the manager's encoder ("asr") and decoder.
func (e *Engines) newWhisper(ctx context.Context, encoder gpu.Runner) (asr.Engine, error) {
	decoder, err := e.GPUs.Model(decoderModel)
	if err != nil {
		return nil, err
	}
	cfg := e.Config.ASR
	return asr.NewWhisper(ctx, asr.WhisperOptions{Dir: e.Choices.ASR.Files.Dir, PreferInt8: cfg.Device == "cpu",
		Encoder: encoder, Decoder: decoder, Language: cfg.Whisper.Language, Task: cfg.Whisper.Task})
}

// toggle moves a managed model between the CPU and the GPU. Whisper's
// decoder follows its encoder; when it cannot, the encoder goes back, so
// that the two never stay apart because of a toggle.
func (e *Engines) toggle(ctx context.Context, model string) error {
	mgr := e.GPUs
	dec, err := mgr.Model(decoderModel)
	if model != "asr" || err != nil {
		return mgr.Toggle(ctx, model)
	}
	enc, err := mgr.Model("asr")
	if err != nil {
		return err
	}
	from := enc.State().Active
	if err := mgr.Toggle(ctx, "asr"); err != nil {
		return err
	}
	to := enc.State().Active
	if dec.State().Active == to {
		return nil
	}
	if err := mgr.Switch(ctx, decoderModel, to); err != nil {
		back := mgr.Switch(ctx, "asr", from)
		return errors.Join(fmt.Errorf("the Whisper decoder cannot follow its encoder to %s, so the encoder went back to %s: %w", to, from, err), back)
	}
	return nil
}

// mergeDecoder folds the Whisper decoder's state into the "asr" state, so
// that the devices pane shows one ASR row: both devices when they differ
// ("cuda:0+cpu", as Whisper's Device says), both reasons, the memory of
// both (unknown when either is).
func mergeDecoder(states []gpu.ModelState) []gpu.ModelState {
	di := slices.IndexFunc(states, func(s gpu.ModelState) bool { return s.Model == decoderModel })
	ei := slices.IndexFunc(states, func(s gpu.ModelState) bool { return s.Model == "asr" })
	if di < 0 || ei < 0 {
		return states
	}
	enc, dec := states[ei], states[di]
	if dec.Active != enc.Active {
		enc.Active += "+" + dec.Active
	}
	enc.FallbackReason = joinParts(enc.FallbackReason, dec.FallbackReason)
	enc.Placement = joinParts(enc.Placement, dec.Placement)
	enc.Switching = enc.Switching || dec.Switching
	enc.LastSwitch += dec.LastSwitch
	if enc.MemoryMiB < 0 || dec.MemoryMiB < 0 {
		enc.MemoryMiB = -1
	} else {
		enc.MemoryMiB += dec.MemoryMiB
	}
	out := slices.Clone(states)
	out[ei] = enc
	return slices.Delete(out, di, di+1)
}

// joinParts joins the encoder's and the decoder's texts, naming the
// decoder's ("" when both are empty).
func joinParts(enc, dec string) string {
	switch {
	case dec == "":
		return enc
	case enc == "":
		return "decoder: " + dec
	}
	return "encoder: " + enc + "; decoder: " + dec
}
