package tts_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/pipeline/tts"
)

func TestKokoroFind(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"model.onnx", "voices.bin"} {
		writeFile(t, dir, name, nil)
	}
	got, err := tts.FindKokoro(dir)
	if err != nil || got.Model != filepath.Join(dir, "model.onnx") || got.Voices != filepath.Join(dir, "voices.bin") {
		t.Errorf("FindKokoro(dir) = %+v, %v", got, err)
	}
	// A named model file takes the voices file beside it.
	other := writeFile(t, dir, "kokoro-v1.0.int8.onnx", nil)
	if got, err := tts.FindKokoro(other); err != nil || got.Model != other {
		t.Errorf("FindKokoro(file) = %+v, %v", got, err)
	}
	// Two unknown models: name one.
	two := t.TempDir()
	for _, name := range []string{"a.onnx", "b.onnx", "voices-v1.0.bin"} {
		writeFile(t, two, name, nil)
	}
	if _, err := tts.FindKokoro(two); !errors.Is(err, tts.ErrNoKokoro) || !strings.Contains(err.Error(), "a.onnx, b.onnx") {
		t.Errorf("two models: %v", err)
	}
	none := t.TempDir()
	writeFile(t, none, "kokoro-v1.0.onnx", nil)
	if _, err := tts.FindKokoro(none); !errors.Is(err, tts.ErrNoKokoro) || !strings.Contains(err.Error(), "voices") ||
		!strings.Contains(err.Error(), "parley models pull kokoro-v1.0") {
		t.Errorf("no voices file: %v", err)
	}
	if _, err := tts.FindKokoro(filepath.Join(dir, "gone")); !errors.Is(err, tts.ErrNoKokoro) || !errors.Is(err, os.ErrNotExist) ||
		!strings.Contains(err.Error(), "parley models pull kokoro-v1.0") {
		t.Errorf("missing path: %v", err)
	}
}

// TestKokoroFindCatalogFolder finds the files of the folder that `parley
// models pull kokoro-v1.0` installs, and says how to get one when none is.
func TestKokoroFindCatalogFolder(t *testing.T) {
	_, err := tts.FindKokoro("")
	if !errors.Is(err, tts.ErrNoKokoro) || !strings.Contains(err.Error(), "parley models pull kokoro-v1.0") {
		t.Errorf("nothing installed: %v", err)
	}
	dir := t.TempDir()
	for _, name := range []string{"kokoro-v1.0.onnx", "voices-v1.0.bin", "kokoro-v1.0.onnx.part"} {
		writeFile(t, dir, name, nil)
	}
	got, err := tts.FindKokoro(dir)
	if err != nil || got.Model != filepath.Join(dir, "kokoro-v1.0.onnx") || got.Voices != filepath.Join(dir, "voices-v1.0.bin") {
		t.Errorf("catalog folder: %+v, %v", got, err)
	}
}
