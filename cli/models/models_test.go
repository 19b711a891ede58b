package models

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/internal/testenv"
	"parley/models"
)

// runCmd runs `parley models args...` and returns stdout, stderr and its
// error (what parley prints after "parley: ").
func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := Run(context.Background(), args, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

// errText is what parley prints for err, "" for none.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestModelsList(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	stdout, _, err := runCmd(t, "list")
	if err != nil {
		t.Fatal(err)
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
	stdout, _, err := runCmd(t, "verify")
	if err == nil || !strings.Contains(stdout, "kokoro-v1.0: FAILED") || !strings.Contains(stdout, "kokoro-v1.0-int8: not installed") {
		t.Errorf("verify: %v, stdout:\n%s", err, stdout)
	}
	for _, want := range []string{"kokoro-v1.0: " + filepath.Join(dir, "kokoro-v1.0.onnx") + ": wrong size", "voices-v1.0.bin: missing"} {
		if !strings.Contains(errText(err), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	_, _, err = runCmd(t, "verify", "kokoro-v1.0-int8")
	if !strings.Contains(errText(err), "kokoro-v1.0-int8 is not installed") {
		t.Errorf("verify one: %v", err)
	}
}

// TestModelsPullThroughAMirror installs the real Silero model (setup's copy,
// byte for byte the publisher's) from a local mirror of its publisher's path.
func TestModelsPullThroughAMirror(t *testing.T) {
	silero := testenv.SileroModel(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/snakers4/silero-vad/v5.1.2/src/silero_vad/data/silero_vad.onnx", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, silero)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	stdout, stderr, err := runCmd(t, "pull", "silero-vad-v5", "--mirror", srv.URL)
	if err != nil || !strings.Contains(stdout, "installed silero-vad-v5") {
		t.Fatalf("pull: %v\n%s\n%s", err, stdout, stderr)
	}
	if !strings.Contains(stderr, "silero-vad-v5: 0%") || !strings.Contains(stderr, "silero-vad-v5: 100%") {
		t.Errorf("no percentage lines on a non-terminal:\n%s", stderr)
	}
	if dir, ok := models.Installed("silero-vad-v5"); !ok || dir != models.ModelsDir() {
		t.Errorf("Installed = %s, %v", dir, ok)
	}
	stdout, _, _ = runCmd(t, "pull", "silero-vad-v5", "--mirror", srv.URL)
	if !strings.Contains(stdout, "already installed") {
		t.Errorf("second pull: %s", stdout)
	}
}

func TestModelsUsageErrors(t *testing.T) {
	cases := map[string][]string{
		"missing subcommand":         {},
		`unknown subcommand "frob"`:  {"frob"},
		`unknown model "nope"`:       {"pull", "nope"},
		"silero-vad-v5":              {"pull", "nope"},
		"wrong arguments":            {"list", "extra"},
		"models pull: which model?":  {"pull"},
		"models verify: wrong argum": {"verify", "a", "b"},
	}
	for want, args := range cases {
		_, _, err := runCmd(t, args...)
		if !strings.Contains(errText(err), want) {
			t.Errorf("parley models %v: %v; want %q", args, err, want)
		}
	}
	if _, stderr, err := runCmd(t, "--help"); !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr, "parley models verify") {
		t.Errorf("--help: %v, %q", err, stderr)
	}
}
