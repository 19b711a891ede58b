package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/internal/testenv"
	"parley/pipeline"
)

// absPath is path made absolute, for configs read from another folder.
func absPath(t *testing.T, path string) string {
	t.Helper()
	a, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// whisperKokoroConfig selects the Whisper contract model at whisperDir,
// the Kokoro contract model, the energy VAD and the offline responder.
func whisperKokoroConfig(t *testing.T, whisperDir string) string {
	t.Helper()
	return writeConfig(t, "[vad]\nengine = \"energy\"\n"+
		"[asr]\nengine = \"whisper\"\n[asr.whisper]\nmodel = \""+absPath(t, whisperDir)+"\"\n"+
		"[tts]\nengine = \"kokoro\"\n[tts.kokoro]\nmodel = \""+testenv.KokoroModel(t)+"\"\n"+
		"[llm]\nengine = \"offline\"\n")
}

// TestWhisperAndKokoroThroughVirtualDevices speaks a question into the
// virtual microphone; parley recognises it with the Whisper contract model
// (tones-en.wav spells "hello world parley"), the offline responder
// answers, and the Kokoro contract model speaks the answer on the virtual
// speaker, all through the real ONNX Runtime.
func TestWhisperAndKokoroThroughVirtualDevices(t *testing.T) {
	testenv.Pulse(t)
	testenv.ORTLibrary(t)
	testenv.Command(t, "paplay")
	cfg := whisperKokoroConfig(t, "../pipeline/asr/testdata/whisper/en")
	rec := record(t)
	p := start(t, "--headless", "--config", cfg, "--input-device", "virtmic", "--output-device", "spk")
	p.waitFor(t, 60*time.Second, "info: listening")
	speakIntoMic(t, absPath(t, "../pipeline/asr/testdata/whisper/tones-en.wav"))
	p.waitFor(t, 60*time.Second, "said:", "info: nothing recognised", "error:")
	p.interrupt(t)
	voiced := voicedSeconds(rec.stop(t))
	out := strings.Join(p.output(), "\n")
	for _, want := range []string{"info: whisper + kokoro", "heard: hello world parley", "answer: ", "said: "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	wantSpeechDetail(t, readLogs(t, p.home), "ASR: whisper test.en from ", "TTS: Kokoro kokoro-v1.0.onnx (voice af_heart)", "TTS kokoro/af_heart on cpu")
	t.Logf("heard %q, answered %q; %.2f s of Kokoro's audio above -40 dBFS reached the virtual speaker",
		p.linesWith("heard: "), p.linesWith("answer: "), voiced)
	if voiced < 0.3 {
		t.Errorf("only %.2f s of audio reached the virtual speaker", voiced)
	}
}

// wantSpeechDetail checks the detail of the logged "speech" fact, which
// says which engines run, where, and why they were chosen.
func wantSpeechDetail(t *testing.T, logs []pipeline.Event, want ...string) {
	t.Helper()
	for _, ev := range logs {
		if ev.Kind != pipeline.KindInfo || ev.Fact != "speech" {
			continue
		}
		for _, w := range want {
			if !strings.Contains(ev.Detail, w) {
				t.Errorf("speech fact's detail %q lacks %q", ev.Detail, w)
			}
		}
		return
	}
	t.Error("no speech fact in the conversation log")
}

// TestTranscribeWithWhisper checks parley transcribe --json on the
// English-only Whisper contract model: the text and each segment's
// language.
func TestTranscribeWithWhisper(t *testing.T) {
	testenv.ORTLibrary(t)
	cfg := whisperKokoroConfig(t, "../pipeline/asr/testdata/whisper/en")
	res := transcribeJSON(t, absPath(t, "../pipeline/asr/testdata/whisper/tones-en.wav"), "--config", cfg)
	if res.Text != "hello world parley" || res.Engine != "whisper" || res.Device != "cpu" || res.RTF <= 0 ||
		len(res.Segments) != 1 || res.Segments[0].Language != "en" {
		t.Errorf("transcribe result %+v", res)
	}
}

// TestWhisperModelErrors: a Whisper model that is not installed names the
// pull command; one whose files do not match the contract is refused at
// load with the mismatch.
func TestWhisperModelErrors(t *testing.T) {
	lib := testenv.ORTLibrary(t)
	mixed := t.TempDir() // the English-only model with a SenseVoice graph as its encoder
	for src, dst := range map[string]string{"whisper/en/test.en-decoder.onnx": "test.en-decoder.onnx",
		"whisper/en/test.en-tokens.txt": "test.en-tokens.txt", "asr/sensevoice/model.onnx": "test.en-encoder.onnx"} {
		data, err := os.ReadFile(filepath.Join("../pipeline/asr/testdata", src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(mixed, dst), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := map[string]struct {
		model string
		want  []string
	}{
		"not installed": {"whisper-base.en", []string{`asr.whisper.model = "whisper-base.en" is not installed (parley models pull whisper-base.en)`}},
		"off contract":  {mixed, []string{"ASR: whisper: ", "test.en-encoder.onnx: asr model does not match its contract: unexpected input \"x\" (sherpa-onnx export wants [mel])"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env, home := isolatedEnv(t)
			env = append(env, "XDG_CACHE_HOME="+filepath.Join(home, "cache"), "PARLEY_ORT_LIB="+lib) // no installed models
			cfg := writeConfig(t, "[asr]\nengine = \"whisper\"\n[asr.whisper]\nmodel = \""+tc.model+"\"\n")
			cmd := exec.Command(parleyBin, "transcribe", "--config", cfg, absPath(t, "../pipeline/asr/testdata/whisper/tones-en.wav"))
			cmd.Env, cmd.Dir = env, home
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("exit 0, want an error:\n%s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output does not say %q:\n%s", w, out)
				}
			}
			if strings.Contains(string(out), "panic") {
				t.Errorf("panic:\n%s", out)
			}
		})
	}
}
