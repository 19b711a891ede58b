package doctor

import (
	"bytes"
	"context"
	"net"
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
	testenv.Pulse(t) // doctor opens the devices
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

// TestDoctorWebAudio: with audio.backend = "web" doctor names the address it
// will serve and needs no sound server: a PulseAudio that refuses does not
// matter, and is not tried.
func TestDoctorWebAudio(t *testing.T) {
	t.Setenv("PULSE_SERVER", "unix:/nonexistent/pulse/native")
	var out bytes.Buffer
	r := &report{w: &out}
	cfg := testenv.Config(t)
	cfg.Audio.Backend, cfg.Audio.WebAddr = "web", "127.0.0.1:0"
	r.audio(context.Background(), cfg)
	if len(r.blockers) > 0 || len(r.warnings) > 0 {
		t.Errorf("problems %q, notes %q:\n%s", r.blockers, r.warnings, out.String())
	}
	for _, want := range []string{"no sound server needed", "page: http://127.0.0.1:", "ssh -L", "added latency: capture 20ms", "100ms target"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "/nonexistent/pulse") {
		t.Errorf("doctor tried PulseAudio:\n%s", out.String())
	}
}

// TestDoctorWebAddressTaken: an address in use stops parley, and doctor
// says which.
func TestDoctorWebAddressTaken(t *testing.T) {
	var out bytes.Buffer
	r := &report{w: &out}
	cfg := testenv.Config(t)
	held, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	cfg.Audio.Backend, cfg.Audio.WebAddr = "web", held.Addr().String()
	r.audio(context.Background(), cfg)
	if len(r.blockers) != 1 || !strings.Contains(r.blockers[0], cfg.Audio.WebAddr) {
		t.Errorf("problems %q, want one naming %s", r.blockers, cfg.Audio.WebAddr)
	}
}
