package doctor

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/cli"
	"parley/internal/testenv"
)

// doctor runs `parley doctor` with a user file holding body.
func doctor(t *testing.T, body string) (string, error) {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "cfg.toml")
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	err := Run(cli.WithDefaults(context.Background(), testenv.Defaults(t)), []string{"--config", cfg}, &stdout, &bytes.Buffer{})
	return stdout.String(), err
}

func TestDoctorNamesTheMissingModel(t *testing.T) {
	out, err := doctor(t, "[asr]\nengine = \"sensevoice\"\n[asr.sensevoice]\nmodel_dir = \"/nonexistent/sv\"\n")
	if err == nil || !strings.Contains(err.Error(), "parley cannot run") {
		t.Errorf("err = %v", err)
	}
	for _, want := range []string{"PROBLEM: ASR: asr.engine = \"sensevoice\"", "/nonexistent/sv", "TTS: "} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestDoctorWithoutONNXRuntime(t *testing.T) {
	out, err := doctor(t, "[onnx]\nlibrary = \"/nonexistent/libonnxruntime.so.1\"\n[llm]\nengine = \"offline\"\n")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"/nonexistent/libonnxruntime.so.1", "VAD: energy detector, because", "ASR: pocketsphinx, because ONNX Runtime did not load", "parley can run"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestDoctorUsage(t *testing.T) {
	var stderr bytes.Buffer
	if code := cli.Exit(Run(context.Background(), []string{"stray"}, &bytes.Buffer{}, &stderr), &stderr); code != 2 {
		t.Errorf("stray argument: exit %d, %s", code, stderr.String())
	}
}
