// Package testenv finds the real parts that parley's tests use (the ONNX
// Runtime library, the Silero VAD model, the private headless PulseAudio and
// the pocketsphinx test data). A test that needs a missing part skips, unless
// PARLEY_REQUIRE_AUDIO=1 (set by `make test`), where it fails: CI must never
// pass by skipping the real thing.
package testenv

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"parley/config"
	"parley/models"
)

// ORTLibrary returns the path of the ONNX Runtime shared library installed by
// scripts/setup.sh (or named by PARLEY_ORT_LIB).
func ORTLibrary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("PARLEY_ORT_LIB"); p != "" {
		return need(t, p, "ONNX Runtime library (PARLEY_ORT_LIB)")
	}
	return need(t, filepath.Join(models.CacheDir(), "lib", "libonnxruntime.so.1"), "ONNX Runtime library (run make setup)")
}

// SileroModel returns the path of the Silero VAD v5 model installed by setup.
func SileroModel(t testing.TB) string {
	t.Helper()
	return need(t, models.SileroVADPath(), "Silero VAD model (run make setup)")
}

// TestData returns a file of Debian's pocketsphinx-testdata package.
func TestData(t testing.TB, name string) string {
	t.Helper()
	return need(t, filepath.Join("/usr/share/pocketsphinx/test/data", name), "pocketsphinx-testdata (run make setup-dev)")
}

// pulse is the private PulseAudio of this test process. Each test binary
// gets its own server, because `go test ./...` runs packages in parallel and
// two packages playing into one virtual microphone would hear each other.
// It is process-wide state by nature: child processes inherit its address.
var pulse struct {
	sync.Mutex
	dir string
}

// Pulse starts (once per test process, again if it has exited) a private
// headless PulseAudio with a virtual microphone ("virtmic", fed through sink
// "mic_feed") and a virtual speaker ("spk"), points PULSE_SERVER at it for
// this process and its children, and returns that address. The server exits
// by itself a minute after its last client.
func Pulse(t testing.TB) string {
	t.Helper()
	Command(t, "pulseaudio")
	pulse.Lock()
	defer pulse.Unlock()
	if pulse.dir != "" && exec.Command("pactl", "info").Run() == nil {
		return os.Getenv("PULSE_SERVER")
	}
	if pulse.dir == "" {
		dir, err := os.MkdirTemp("", "parley-pulse-test-")
		if err != nil {
			t.Fatalf("pulse folder: %v", err)
		}
		pulse.dir = dir
	}
	cmd := exec.Command("bash", pulseScript(), "start")
	cmd.Env = append(os.Environ(), "PARLEY_PULSE_DIR="+pulse.dir, "PARLEY_PULSE_IDLE=60")
	out, err := cmd.Output()
	if err != nil {
		missing(t, "private PulseAudio: "+err.Error())
	}
	exportAll(string(out))
	return os.Getenv("PULSE_SERVER")
}

// exportAll applies "export A=1 B=2" lines to this process's environment.
func exportAll(script string) {
	for _, field := range strings.Fields(script) {
		if k, v, ok := strings.Cut(field, "="); ok {
			_ = os.Setenv(k, v)
		}
	}
}

// pulseScript is scripts/pulse.sh of this repository.
func pulseScript() string {
	return filepath.Join(repoRoot(), "scripts", "pulse.sh")
}

// repoRoot is the folder of this repository.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Defaults returns config.toml of this repository: the defaults built into
// parley.
func Defaults(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(), "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Config returns the built-in defaults, parsed, with no user file.
func Config(t testing.TB) config.Config {
	t.Helper()
	loaded, err := config.Load(Defaults(t), config.Locations{})
	if err != nil {
		t.Fatal(err)
	}
	return loaded.Config
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

// RawSpeech returns a headerless 16 kHz s16le mono file of the pocketsphinx
// test data (e.g. "goforward.raw", "go forward ten meters") as samples in
// [-1, 1].
func RawSpeech(t testing.TB, name string) []float32 {
	t.Helper()
	f, err := os.Open(TestData(t, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, st.Size()/2)
	if err := binary.Read(f, binary.LittleEndian, pcm); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := make([]float32, len(pcm))
	for i, v := range pcm {
		out[i] = float32(v) / 32768
	}
	return out
}
