package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/internal/testenv"
	"parley/models"
)

func TestModelsList(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	code, stdout, stderr := runParley(t, "models", "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range append(models.Names(), "INSTALLED", " no ", "sha256", "md5", models.ModelsDir()) {
		if !strings.Contains(stdout, want) {
			t.Errorf("list lacks %q:\n%s", want, stdout)
		}
	}
}

func TestModelsVerifyNamesTheBrokenFile(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := filepath.Join(models.ModelsDir(), "kokoro-v1.0")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kokoro-v1.0.onnx"), []byte("truncated"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runParley(t, "models", "verify")
	if code == 0 || !strings.Contains(stdout, "kokoro-v1.0: FAILED") || !strings.Contains(stdout, "kokoro-v1.0-int8: not installed") {
		t.Errorf("verify: exit %d, stdout:\n%s", code, stdout)
	}
	for _, want := range []string{"kokoro-v1.0: " + filepath.Join(dir, "kokoro-v1.0.onnx") + ": wrong size", "voices-v1.0.bin: missing"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	code, _, stderr = runParley(t, "models", "verify", "kokoro-v1.0-int8")
	if code == 0 || !strings.Contains(stderr, "kokoro-v1.0-int8 is not installed") {
		t.Errorf("verify one: exit %d, %s", code, stderr)
	}
}

// TestModelsPullThroughAMirror installs the real Silero model (setup's copy,
// byte for byte the publisher's) from a local mirror of its publisher's path.
func TestModelsPullThroughAMirror(t *testing.T) {
	silero, err := os.ReadFile(testenv.SileroModel(t))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/snakers4/silero-vad/v5.1.2/src/silero_vad/data/silero_vad.onnx", func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "silero_vad.onnx", time.Time{}, bytes.NewReader(silero))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	code, stdout, stderr := runParley(t, "models", "pull", "silero-vad-v5", "--mirror", srv.URL)
	if code != 0 || !strings.Contains(stdout, "installed silero-vad-v5") {
		t.Fatalf("pull: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "silero-vad-v5: 0%") || !strings.Contains(stderr, "silero-vad-v5: 100%") {
		t.Errorf("no percentage lines on a non-terminal:\n%s", stderr)
	}
	if dir, ok := models.Installed("silero-vad-v5"); !ok || dir != models.ModelsDir() {
		t.Errorf("Installed = %s, %v", dir, ok)
	}
	_, stdout, _ = runParley(t, "models", "pull", "silero-vad-v5", "--mirror", srv.URL)
	if !strings.Contains(stdout, "already installed") {
		t.Errorf("second pull: %s", stdout)
	}
}

func TestModelsUsageErrors(t *testing.T) {
	cases := map[string][]string{
		"missing subcommand":         {"models"},
		`unknown subcommand "frob"`:  {"models", "frob"},
		`unknown model "nope"`:       {"models", "pull", "nope"},
		"silero-vad-v5":              {"models", "pull", "nope"},
		"wrong arguments":            {"models", "list", "extra"},
		"models pull: which model?":  {"models", "pull"},
		"models verify: wrong argum": {"models", "verify", "a", "b"},
	}
	for want, args := range cases {
		code, _, stderr := runParley(t, args...)
		if code == 0 || !strings.Contains(stderr, want) {
			t.Errorf("parley %v: exit %d, stderr %q; want %q", args, code, stderr, want)
		}
	}
	if code, _, stderr := runParley(t, "models", "--help"); code != 0 || !strings.Contains(stderr, "parley models verify") {
		t.Errorf("--help: exit %d, %q", code, stderr)
	}
}

func TestProgressBarLinesOffATerminal(t *testing.T) {
	var buf bytes.Buffer
	bar := newProgressBar(&buf, "m", megabytes)
	for done := int64(0); done <= 1000; done += 7 {
		bar.update(done, 1000)
	}
	bar.update(1000, 1000)
	bar.done()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 11 || lines[0] != "m: 0%" || lines[10] != "m: 100%" {
		t.Errorf("lines %q", lines)
	}
}

func TestProgressBarRedrawsOnATerminal(t *testing.T) {
	var buf bytes.Buffer
	bar := &progressBar{w: &buf, label: "m", unit: megabytes, tty: true, last: -1}
	bar.update(500_000, 1_000_000)
	bar.update(500_001, 1_000_000) // same percentage: no redraw
	bar.update(1_000_000, 1_000_000)
	bar.done()
	want := "\rm [###############...............]  50%  0.5 MB / 1.0 MB " +
		"\rm [##############################] 100%  1.0 MB / 1.0 MB \n"
	if buf.String() != want {
		t.Errorf("got  %q\nwant %q", buf.String(), want)
	}
}
