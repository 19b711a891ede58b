package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/internal/testenv"
)

// runParley starts parley with args, waits for it and returns stdout, stderr and
// whether it exited 0.
func runParley(t *testing.T, args ...string) (stdout, stderr string, ok bool) {
	t.Helper()
	p := start(t, args...)
	err := p.wait(t, 60*time.Second)
	return strings.Join(p.output(), "\n"), p.stderr.String(), err == nil
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cfg.toml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func wantAll(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("output lacks %q:\n%s", w, text)
		}
	}
}

// TestDoctor checks that doctor explains what it found on this machine
// (no GPU, the virtual devices, ORT 1.29 on the CPU) and says parley can run.
func TestDoctor(t *testing.T) {
	testenv.Pulse(t)
	testenv.ORTLibrary(t)
	out, stderr, ok := runParley(t, "doctor")
	if !ok {
		t.Fatalf("doctor failed:\n%s\n%s", out, stderr)
	}
	wantAll(t, out, "Configuration", "backend: pulseaudio", "(the default capture device) on pulseaudio opens", "version: 1.29.0",
		"CPU execution provider: loads", "CUDA execution provider: unavailable", "GPUs (NVML)",
		"none: NVML library not found", "VAD: Silero VAD v5", "ASR: pocketsphinx, because", "TTS: flite",
		"LLM:", "parley can run")
	if stderr != "" {
		t.Errorf("doctor wrote to stderr (a library's noise?):\n%s", stderr)
	}
}

// TestDoctorFailsWithTheReason asks for an engine that is not installed.
func TestDoctorFailsWithTheReason(t *testing.T) {
	cfg := writeConfig(t, "[asr]\nengine = \"sensevoice\"\n[asr.sensevoice]\nmodel_dir = \"/nonexistent/sv\"\n")
	out, stderr, ok := runParley(t, "doctor", "--config", cfg)
	if ok {
		t.Fatalf("doctor succeeded with a missing ASR model:\n%s", out)
	}
	wantAll(t, out+stderr, "PROBLEM", "asr.engine", "/nonexistent/sv", "parley cannot run")
}

// TestDoctorWithoutONNXRuntime points onnx.library at nothing: parley still
// runs, on the energy VAD, and doctor says why.
func TestDoctorWithoutONNXRuntime(t *testing.T) {
	cfg := writeConfig(t, "[onnx]\nlibrary = \"/nonexistent/libonnxruntime.so.1\"\n")
	out, stderr, ok := runParley(t, "doctor", "--config", cfg)
	if !ok {
		t.Fatalf("doctor failed without ONNX Runtime:\n%s\n%s", out, stderr)
	}
	wantAll(t, out, "/nonexistent/libonnxruntime.so.1", "onnx.library", "VAD: energy detector", "parley can run")
}

// TestDevices lists the virtual microphone and speaker.
func TestDevices(t *testing.T) {
	testenv.Pulse(t)
	out, stderr, ok := runParley(t, "devices")
	if !ok {
		t.Fatalf("devices failed:\n%s\n%s", out, stderr)
	}
	wantAll(t, out, "Audio backend: pulseaudio", "Capture", "Playback", "virtmic", "spk")
}
