// Package testenv finds the real parts that parley's tests use (the ONNX
// Runtime library, the Silero VAD model, the private headless PulseAudio and
// the pocketsphinx test data). A test that needs a missing part skips, unless
// PARLEY_REQUIRE_AUDIO=1 (set by `make test`), where it fails: CI must never
// pass by skipping the real thing.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// CacheDir returns parley's cache directory ($XDG_CACHE_HOME/parley).
func CacheDir() string {
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, _ := os.UserHomeDir()
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "parley")
}

// ORTLibrary returns the path of the ONNX Runtime shared library installed by
// scripts/setup.sh (or named by PARLEY_ORT_LIB).
func ORTLibrary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("PARLEY_ORT_LIB"); p != "" {
		return need(t, p, "ONNX Runtime library (PARLEY_ORT_LIB)")
	}
	return need(t, filepath.Join(CacheDir(), "lib", "libonnxruntime.so.1"), "ONNX Runtime library (run make setup)")
}

// SileroModel returns the path of the Silero VAD v5 model installed by setup.
func SileroModel(t testing.TB) string {
	t.Helper()
	return need(t, filepath.Join(CacheDir(), "models", "silero_vad_v5.onnx"), "Silero VAD model (run make setup)")
}

// TestData returns a file of Debian's pocketsphinx-testdata package.
func TestData(t testing.TB, name string) string {
	t.Helper()
	return need(t, filepath.Join("/usr/share/pocketsphinx/test/data", name), "pocketsphinx-testdata (run make setup-dev)")
}

// Pulse returns the PULSE_SERVER of the private headless PulseAudio started
// by `scripts/pulse.sh start` (make test starts it).
func Pulse(t testing.TB) string {
	t.Helper()
	server := os.Getenv("PULSE_SERVER")
	if server == "" {
		missing(t, "private PulseAudio (run: eval \"$(scripts/pulse.sh start)\")")
	}
	if err := exec.Command("pactl", "info").Run(); err != nil {
		missing(t, "PulseAudio at "+server+": "+err.Error())
	}
	return server
}

// Command returns the path of a program the test needs.
func Command(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, "program "+name)
	}
	return p
}

// Required reports whether missing parts fail tests instead of skipping them.
func Required() bool {
	return strings.TrimSpace(os.Getenv("PARLEY_REQUIRE_AUDIO")) == "1"
}

func need(t testing.TB, path, what string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		missing(t, what+": "+path)
	}
	return path
}

func missing(t testing.TB, what string) {
	t.Helper()
	if Required() {
		t.Fatalf("missing %s", what)
	}
	t.Skipf("missing %s", what)
}
