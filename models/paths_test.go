package models

import (
	"path/filepath"
	"testing"
)

func TestCacheDirFollowsXDG(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/x/cache")
	if got := CacheDir(); got != "/x/cache/parley" {
		t.Errorf("CacheDir = %q", got)
	}
	if got := SileroVADPath(); got != filepath.Join("/x/cache/parley/models/silero_vad_v5.onnx") {
		t.Errorf("SileroVADPath = %q", got)
	}
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "/home/u")
	if got := CacheDir(); got != "/home/u/.cache/parley" {
		t.Errorf("CacheDir without XDG = %q", got)
	}
}
