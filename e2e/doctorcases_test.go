package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/internal/testenv"
)

// doctorMachine is a machine state for doctor: extra environment and a
// user config.
type doctorMachine struct {
	env    []string
	config string
}

// brokenModels writes a VAD model of random bytes and an installed
// SenseVoice folder whose model.onnx is garbage (under a private
// XDG_CACHE_HOME), and returns the VAD file and the cache.
func brokenModels(t *testing.T) (vad, cache string) {
	t.Helper()
	dir := t.TempDir()
	junk := []byte(strings.Repeat("\x8f\x13 random bytes, not a model \x00", 1000))
	vad = filepath.Join(dir, "vad.onnx")
	cache = filepath.Join(dir, "cache")
	sv := filepath.Join(cache, "parley", "models", "sensevoice-small-fp32")
	if err := os.MkdirAll(sv, 0o755); err != nil {
		t.Fatal(err)
	}
	for path, data := range map[string][]byte{vad: junk, filepath.Join(sv, "model.onnx"): junk, filepath.Join(sv, "tokens.txt"): make([]byte, 315894)} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return vad, cache
}

// TestDoctorNeverSaysCanRunWhenParleyCannot: the six machines of issue 10
// on which doctor said "parley can run". Now each is a problem that names
// the cause and exits 1, or, where an auto engine falls back, a note, and
// then parley does run.
func TestDoctorNeverSaysCanRunWhenParleyCannot(t *testing.T) {
	testenv.Pulse(t)
	ort, silero := testenv.ORTLibrary(t), testenv.SileroModel(t)
	vad, cache := brokenModels(t)
	notAFolder := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(notAFolder, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	base := "[llm]\nengine = \"offline\"\n[onnx]\nlibrary = \"" + ort + "\"\n"
	noPulse := []string{"PULSE_SERVER=", "PULSE_RUNTIME_PATH=/nonexistent", "XDG_RUNTIME_DIR=/nonexistent"}
	cases := []struct {
		name    string
		machine doctorMachine
		problem string // "" when parley can run, with a note
		note    string
	}{
		{"VAD model of random bytes, asked for", doctorMachine{nil, "[vad]\nengine = \"silero\"\nmodel = \"" + vad + "\"\n"}, vad, ""},
		{"VAD model of random bytes, auto", doctorMachine{nil, "[vad]\nmodel = \"" + vad + "\"\n"}, "", "VAD: energy detector, because Silero failed to load"},
		{"garbage SenseVoice, asked for", doctorMachine{[]string{"XDG_CACHE_HOME=" + cache}, "[vad]\nmodel = \"" + silero + "\"\n[asr]\nengine = \"sensevoice\"\n"}, "sensevoice-small-fp32/model.onnx", ""},
		{"garbage SenseVoice, auto", doctorMachine{[]string{"XDG_CACHE_HOME=" + cache}, "[vad]\nmodel = \"" + silero + "\"\n"}, "", "ASR: pocketsphinx, because SenseVoice failed to load"},
		{"no sound server", doctorMachine{noPulse, ""}, "capture: open capture device: tried PulseAudio at unix:/nonexistent/native: refused", ""},
		{"audio.backend = pulseaudio without a server", doctorMachine{noPulse, "[audio]\nbackend = \"pulseaudio\"\n"}, "capture: open capture device: tried PulseAudio at unix:/nonexistent/native", ""},
		{"unwritable log.dir", doctorMachine{nil, "[log]\ndir = \"" + notAFolder + "/log\"\n"}, "log folder " + notAFolder + "/log (log.dir) is not writable", ""},
		{"unknown [ui.keys] action", doctorMachine{nil, "[ui.keys]\nfrobnicate = [\"x\"]\n"}, "ui.keys.frobnicate: unknown action", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeConfig(t, base+tc.machine.config)
			env, home := isolatedEnv(t)
			env = append(env, tc.machine.env...)
			p := startEnv(t, env, home, "doctor", "--config", cfg)
			err := p.wait(t, 120*time.Second)
			out := strings.Join(p.output(), "\n")
			if tc.problem == "" {
				checkCanRun(t, err, out, tc.note, env, home, cfg)
				return
			}
			problems := p.linesWith("  PROBLEM: ")
			if err == nil || len(problems) == 0 || !strings.Contains(strings.Join(problems, "\n"), tc.problem) || strings.Contains(out, "parley can run") {
				t.Errorf("exit %v, problems %q; want exit 1 naming %q; report:\n%s", err, problems, tc.problem, out)
			}
		})
	}
}

// checkCanRun checks a report that says parley can run with a note, then
// that parley does: it answers a question from a file with that config.
func checkCanRun(t *testing.T, err error, out, note string, env []string, home, cfg string) {
	t.Helper()
	if err != nil || !strings.Contains(out, "parley can run") || !strings.Contains(out, "  note: "+note) {
		t.Fatalf("exit %v; want \"parley can run\" and the note %q; report:\n%s", err, note, out)
	}
	wav := flite(t, "kal16", t.TempDir(), "q", "what time is it")
	p := startEnv(t, env, home, "--headless", "--config", cfg, "--fast", "--input", wav)
	if err := p.wait(t, 120*time.Second); err != nil || len(p.linesWith("said: ")) != 1 {
		t.Errorf("doctor said parley can run, but it: %v\n%s\n%s", err, strings.Join(p.output(), "\n"), p.stderr.String())
	}
}
