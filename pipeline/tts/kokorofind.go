package tts

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrNoKokoro indicates that no Kokoro model with a voices file was found;
// the error names the folder or file and the command that installs one.
var ErrNoKokoro = errors.New("no kokoro model found")

// kokoroPull is the command that installs the default Kokoro model.
const kokoroPull = "parley models pull kokoro-v1.0"

// KokoroFiles are the two files a Kokoro engine needs.
type KokoroFiles struct {
	// Model is the .onnx graph (kokoro-v1.0.onnx or a newer export).
	Model string
	// Voices is the voices file (voices-v1.0.bin or sherpa-onnx's voices.bin).
	Voices string
}

// FindKokoro finds a Kokoro model and its voices file. path is a model file
// (X.onnx, with a voices file beside it) or a folder holding them, such as
// the folder `parley models pull kokoro-v1.0` (or kokoro-v1.0-int8)
// installs; "" means none is installed. Errors wrap ErrNoKokoro and name
// the pull command.
func FindKokoro(path string) (KokoroFiles, error) {
	if path == "" {
		return KokoroFiles{}, fmt.Errorf("%w: no Kokoro model is installed (%s, or set tts.kokoro.model)", ErrNoKokoro, kokoroPull)
	}
	st, err := os.Stat(path)
	if err != nil {
		return KokoroFiles{}, fmt.Errorf("%w: %w (%s, or set tts.kokoro.model)", ErrNoKokoro, err, kokoroPull)
	}
	dir, model := path, ""
	if !st.IsDir() {
		dir, model = filepath.Dir(path), path
	}
	return kokoroIn(dir, model)
}

// kokoroIn finds the voices file in dir and, when model is "", the model.
func kokoroIn(dir, model string) (KokoroFiles, error) {
	voices, err := pickFile(dir, "*.bin", "voices-v1.0.bin", "voices.bin")
	if err != nil {
		return KokoroFiles{}, fmt.Errorf("%w: voices file: %w (%s)", ErrNoKokoro, err, kokoroPull)
	}
	if model == "" {
		if model, err = pickFile(dir, "*.onnx", "kokoro-v1.0.onnx", "kokoro-v1.0.int8.onnx", "model.onnx"); err != nil {
			return KokoroFiles{}, fmt.Errorf("%w: model: %w (%s)", ErrNoKokoro, err, kokoroPull)
		}
	}
	return KokoroFiles{Model: model, Voices: voices}, nil
}

// pickFile returns the first of preferred that is a file in dir, else the
// only file matching pattern.
func pickFile(dir, pattern string, preferred ...string) (string, error) {
	for _, name := range preferred {
		if p := filepath.Join(dir, name); hasFile(p) {
			return p, nil
		}
	}
	found, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		return "", err
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("no %s in %s", strings.Join(preferred, " or "), dir)
	case 1:
		return found[0], nil
	}
	for i := range found {
		found[i] = filepath.Base(found[i])
	}
	return "", fmt.Errorf("%d %s files in %s (%s): keep one", len(found), pattern, dir, strings.Join(found, ", "))
}
