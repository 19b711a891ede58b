package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/internal/testenv"
)

// TestBadInput checks that bad input gives a clear error naming the thing,
// a non-zero exit and no panic.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	garbled := filepath.Join(dir, "garbled.wav")
	if err := os.WriteFile(garbled, []byte("RIFF\x10\x00\x00\x00WAVEjunkjunkjunk"), 0o644); err != nil {
		t.Fatal(err)
	}
	badConfig := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(badConfig, []byte("[vad]\nthreshold = 7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missingModel := filepath.Join(dir, "missing-model.toml")
	if err := os.WriteFile(missingModel, []byte("[asr.pocketsphinx]\nlm = \"/nonexistent/en-us.lm.bin\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"missing wav", []string{"--headless", "--input", filepath.Join(dir, "nope.wav")}, []string{"nope.wav"}},
		{"garbled wav", []string{"--headless", "--input", garbled}, []string{"garbled.wav"}},
		{"invalid config", []string{"--headless", "--config", badConfig}, []string{"vad.threshold", "0.01 to 0.99"}},
		{"missing asr model", []string{"--headless", "--config", missingModel, "--input", garbled}, []string{"/nonexistent/en-us.lm.bin", "asr.pocketsphinx.lm"}},
		{"unknown flag", []string{"--nosuchflag"}, []string{"nosuchflag"}},
		{"unknown command", []string{"frobnicate"}, []string{"frobnicate"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := start(t, tc.args...)
			err := p.wait(t, 60*time.Second)
			stderr := p.stderr.String()
			if err == nil {
				t.Fatalf("exit 0, want an error; stderr:\n%s", stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not name %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") {
				t.Errorf("panic on stderr:\n%s", stderr)
			}
		})
	}
}

// TestNoAudioServer runs with a PulseAudio address that answers nothing:
// a file input still works (playback falls back to another backend) or
// parley fails with a clear message, never a panic.
func TestNoAudioServer(t *testing.T) {
	testenv.Command(t, "flite")
	wav := flite(t, "kal16", t.TempDir(), "hello", "what time is it")
	env, home := isolatedEnv(t)
	env = append(env, "PULSE_SERVER=unix:/nonexistent/native")
	p := startEnv(t, env, home, "--headless", "--fast", "--input", wav)
	err := p.wait(t, 60*time.Second)
	stderr := p.stderr.String()
	if strings.Contains(stderr, "panic") {
		t.Fatalf("panic:\n%s", stderr)
	}
	if err != nil && !strings.Contains(stderr, "audio") {
		t.Errorf("failed without naming audio: %v\n%s", err, stderr)
	}
	if err == nil && len(p.linesWith("heard: ")) != 1 {
		t.Errorf("want one utterance heard, got:\n%s", strings.Join(p.output(), "\n"))
	}
	if strings.Count(stderr, "ALSA") > 0 {
		t.Errorf("libasound printed to stderr:\n%s", stderr)
	}
}
