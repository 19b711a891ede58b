package bench

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"parley/pipeline/asr"
	"parley/pipeline/tts"
)

// WhisperTarget is the Whisper model in dir on device, timed at each batch
// size and parallelism. Its fp32 graphs are used where the folder has them,
// on every device, so that outputs can be compared (the catalog's models
// have only int8 graphs). The encoder and the decoder load as two models
// and switch together; the compared values are the logits of the last
// decoder step. Its rows are named after the folder (e.g. "whisper-tiny.en").
func WhisperTarget(l ModelLoader, dir, device string, batches, parallels []int) Target {
	return asrDirTarget(l, dir, device, batches, parallels, openWhisper)
}

func openWhisper(ctx context.Context, l ModelLoader, dir, device string) (Loaded, error) {
	files, err := asr.FindWhisper(dir)
	if err != nil {
		return Loaded{}, fmt.Errorf("whisper model: %w", err)
	}
	encPath, decPath := files.Graphs(false)
	enc, err := loadModel(ctx, l, "asr", encPath, device, 0)
	if err != nil {
		return Loaded{}, err
	}
	dec, err := loadModel(ctx, l, "asr-decoder", decPath, device, 0)
	if err != nil {
		_ = enc.Close()
		return Loaded{}, err
	}
	w, err := asr.NewWhisper(ctx, asr.WhisperOptions{Dir: dir, Encoder: enc, Decoder: &recorder{Model: dec}})
	if err != nil {
		return Loaded{}, errors.Join(err, dec.Close(), enc.Close())
	}
	return Loaded{Run: batchRun(w), Device: w.Device,
		Switch: func(ctx context.Context, device string) error {
			if err := enc.Switch(ctx, device); err != nil {
				return err
			}
			return dec.Switch(ctx, device)
		},
		Close: func() error { return errors.Join(w.Close(), dec.Close(), enc.Close()) }}, nil
}

// KokoroTarget is the Kokoro model at path (X.onnx with its voices file
// beside it, or their folder) with its default voice on device, timed at
// each parallelism. Its rows are named after the folder or file (e.g.
// "kokoro-v1.0").
func KokoroTarget(l ModelLoader, path, device string, parallels []int) Target {
	name := strings.TrimSuffix(filepath.Base(filepath.Clean(path)), ".onnx")
	return Target{Model: name, Kind: KindTTS, Device: device, Parallels: parallels,
		Open: func(ctx context.Context) (Loaded, error) {
			files, err := tts.FindKokoro(path)
			if err != nil {
				return Loaded{}, fmt.Errorf("kokoro: %w", err)
			}
			m, err := loadModel(ctx, l, "tts", files.Model, device, 0)
			if err != nil {
				return Loaded{}, err
			}
			k, err := tts.NewKokoro(ctx, tts.KokoroOptions{VoicesPath: files.Voices, Runner: m})
			if err != nil {
				_ = m.Close()
				return Loaded{}, fmt.Errorf("kokoro: %w", err)
			}
			return modelLoaded(m, synthRun(k), k.Close), nil
		}}
}

// givenEngine is the engine that reads a model given by folder or file:
// Whisper or Kokoro when their files are there, else the kind's first
// ONNX engine (SenseVoice or Paraformer, which ONNXASRTarget tells apart;
// Piper).
func givenEngine(kind Kind, path string) string {
	if kind == KindASR {
		if _, err := asr.FindWhisper(path); err == nil {
			return "whisper"
		}
		return "sensevoice"
	}
	if _, _, err := tts.FindVoice(path); err != nil {
		if _, err := tts.FindKokoro(path); err == nil {
			return "kokoro"
		}
	}
	return "piper"
}
