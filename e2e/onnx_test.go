package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/internal/testenv"
)

// onnxConfig writes a config that selects an ONNX ASR engine and the Piper
// test voice, both loaded from the repository's contract test models.
func onnxConfig(t *testing.T, asrEngine, asrDir string) string {
	t.Helper()
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	cfg := "[vad]\nengine = \"energy\"\n" +
		"[asr]\nengine = \"" + asrEngine + "\"\n" +
		"[asr." + asrEngine + "]\nmodel_dir = \"" + abs(asrDir) + "\"\n" +
		"[tts]\nengine = \"piper\"\n[tts.piper]\nmodel = \"" + abs("../pipeline/tts/testdata/piper") + "\"\n" +
		"[llm]\nengine = \"offline\"\n"
	path := filepath.Join(t.TempDir(), "onnx.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestONNXEnginesThroughInput runs the assistant on the SenseVoice test
// model and the Piper test voice through the real ONNX Runtime: the test
// model turns known tones into a known text, which is heard, answered and
// spoken.
func TestONNXEnginesThroughInput(t *testing.T) {
	testenv.Pulse(t)
	testenv.ORTLibrary(t)
	cfg := onnxConfig(t, "sensevoice", "../pipeline/asr/testdata/asr/sensevoice")
	tones, _ := filepath.Abs("../pipeline/asr/testdata/asr/tones.wav")
	p := start(t, "--headless", "--fast", "--config", cfg, "--input", tones, "--output-device", "spk")
	if err := p.wait(t, 60*time.Second); err != nil {
		t.Fatalf("parley: %v\n%s", err, p.stderr.String())
	}
	out := strings.Join(p.output(), "\n")
	for _, want := range []string{"info: sensevoice + piper", "heard: 你好 hello world parley", "said: "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestTranscribeWithParaformer checks parley transcribe --json on the
// Paraformer test model, batched and parallel.
func TestTranscribeWithParaformer(t *testing.T) {
	testenv.ORTLibrary(t)
	cfg := onnxConfig(t, "paraformer", "../pipeline/asr/testdata/asr/paraformer")
	tones, _ := filepath.Abs("../pipeline/asr/testdata/asr/tones.wav")
	res := transcribeJSON(t, tones, "--config", cfg, "--batch", "4", "--parallel", "3")
	if res.Text != "你好 hello world parley" || res.Engine != "paraformer" || res.Device != "cpu" || res.RTF <= 0 || len(res.Segments) == 0 {
		t.Errorf("transcribe result %+v", res)
	}
}

// transcription is what parley transcribe --json prints for one file.
type transcription struct {
	Text, Engine, Device string
	RTF                  float64
	Segments             []struct {
		Start, End     float64
		Text, Language string
	}
}

// transcribeJSON runs parley transcribe --json on wav with args.
func transcribeJSON(t *testing.T, wav string, args ...string) transcription {
	t.Helper()
	env, home := isolatedEnv(t)
	cmd := exec.Command(parleyBin, append(append([]string{"transcribe", "--json"}, args...), wav)...)
	cmd.Env, cmd.Dir = env, home
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("transcribe: %v\n%s", err, out)
	}
	var res transcription
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("json %q: %v", out, err)
	}
	return res
}
