// Package models knows where parley's models and libraries live on disk.
package models

import (
	"path/filepath"

	"parley/internal/xdg"
)

// CacheDir returns $XDG_CACHE_HOME/parley (default ~/.cache/parley): where
// `make setup` puts ONNX Runtime (lib/) and the models (models/).
func CacheDir() string {
	return xdg.Dir("XDG_CACHE_HOME", ".cache")
}

// SileroVADPath returns where `make setup` installs Silero VAD v5.
func SileroVADPath() string {
	return filepath.Join(CacheDir(), "models", "silero_vad_v5.onnx")
}

// ModelsDir returns $XDG_CACHE_HOME/parley/models, where `parley models
// pull` installs each model (in the folder its catalog entry names).
func ModelsDir() string {
	return filepath.Join(CacheDir(), "models")
}
