package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func defaults(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("../config.toml")
	if err != nil {
		t.Fatalf("read default config: %v", err)
	}
	return data
}

func TestDefaultsAreValid(t *testing.T) {
	cfg, err := Parse(defaults(t), "", "empty")
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if cfg.VAD.Threshold != 0.5 || cfg.TTS.Flite.Voice != "slt" || !cfg.GPU.FallbackToCPU {
		t.Errorf("unexpected defaults: %+v", cfg)
	}
	if cfg.Audio.WebAddr != "127.0.0.1:8765" {
		t.Errorf("audio.web_addr = %q, want loopback by default", cfg.Audio.WebAddr)
	}
	if w := cfg.ASR.Whisper; w.Model != "" || w.Language != "auto" || w.Task != "transcribe" {
		t.Errorf("asr.whisper defaults: %+v", w)
	}
	if cfg.VAD.MinSilence.Duration != 600*time.Millisecond {
		t.Errorf("min_silence = %s", cfg.VAD.MinSilence)
	}
	if tn := cfg.Turn; tn.Detector != "auto" || tn.MinSilence.Duration != 250*time.Millisecond ||
		tn.MaxSilence.Duration != 1200*time.Millisecond || tn.SpeculateAfter.Duration != 128*time.Millisecond {
		t.Errorf("turn defaults: %+v", tn)
	}
	if k := cfg.TTS.Kokoro; k.Voice != "af_heart" || k.Speed != 1 || k.Model != "" {
		t.Errorf("tts.kokoro = %+v", k)
	}
}

func TestUserFileOverridesKeyByKey(t *testing.T) {
	doc := "[audio]\nlatency = \"250ms\"\n[vad]\nthreshold = 0.6\n[tts.flite]\nvoice = \"kal16\"\n[ui.keys]\nquit = [\"x\"]\n[gpu.weights]\ntts = 0.5\n"
	cfg, err := Parse(defaults(t), doc, "user")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.VAD.Threshold != 0.6 || cfg.TTS.Flite.Voice != "kal16" || cfg.Audio.Latency != "250ms" {
		t.Errorf("override not applied: %+v %+v", cfg.VAD, cfg.TTS)
	}
	if cfg.VAD.NegThreshold != 0.35 || cfg.Audio.Backend != "auto" {
		t.Errorf("untouched keys lost their defaults: %+v", cfg)
	}
	if got := cfg.UI.Keys["quit"]; len(got) != 1 || got[0] != "x" {
		t.Errorf("ui.keys.quit = %v", got)
	}
	if cfg.GPU.Weights["tts"] != 0.5 || cfg.GPU.Weights["asr"] != 0.6 {
		t.Errorf("weights not merged key by key: %v", cfg.GPU.Weights)
	}
}

func TestErrorsNameTheKey(t *testing.T) {
	cases := []struct {
		name, doc string
		want      []string
		sentinel  error
	}{
		{"unknown key", "[vad]\nthreshhold = 0.4\n", []string{"vad.threshhold"}, ErrUnknownKey},
		{"unknown table", "[gpus]\nx = 1\n", []string{"gpus"}, ErrUnknownKey},
		{"wrong type", "[vad]\nthreshold = \"high\"\n", []string{"vad.threshold", "string"}, ErrWrongType},
		{"bad duration", "[vad]\nmin_silence = \"soon\"\n", []string{"vad.min_silence"}, nil},
		{"out of range", "[vad]\nthreshold = 1.5\n", []string{"vad.threshold", "0.01 to 0.99"}, ErrInvalidValue},
		{"bad enum", "[audio]\nbackend = \"jack\"\n", []string{"audio.backend", "pulseaudio, alsa, null"}, ErrInvalidValue},
		{"bad latency", "[audio]\nlatency = \"fast\"\n", []string{"audio.latency", "auto, or 5ms to 1s"}, ErrInvalidValue},
		{"latency too long", "[audio]\nlatency = \"2s\"\n", []string{"audio.latency", "\"2s\""}, ErrInvalidValue},
		{"bad device", "[asr]\ndevice = \"gpu\"\n", []string{"asr.device", "cuda:N"}, ErrInvalidValue},
		{"web address without port", "[audio]\nweb_addr = \"127.0.0.1\"\n", []string{"audio.web_addr", "host:port"}, ErrInvalidValue},
		{"web address bad port", "[audio]\nweb_addr = \"127.0.0.1:http\"\n", []string{"audio.web_addr"}, ErrInvalidValue},
		{"gpu device cpu", "[gpu]\ndevice = \"cpu\"\n", []string{"gpu.device"}, ErrInvalidValue},
		{"bad voice", "[tts.flite]\nvoice = \"bob\"\n", []string{"tts.flite.voice", "slt, kal16"}, ErrInvalidValue},
		{"kokoro speed", "[tts.kokoro]\nspeed = 3.0\n", []string{"tts.kokoro.speed", "0.5 to 2"}, ErrInvalidValue},
		{"kokoro voice", "[tts.kokoro]\nvoice = \" \"\n", []string{"tts.kokoro.voice", "af_heart"}, ErrInvalidValue},
		{"bad weight role", "[gpu.weights]\nllm = 1.0\n", []string{"gpu.weights.llm"}, ErrUnknownKey},
		{"whisper decoder weight", "[gpu.weights]\nasr-decoder = 0.3\n", []string{"gpu.weights.asr-decoder", "shares asr's weight"}, ErrUnknownKey},
		{"bad tts engine", "[tts]\nengine = \"coqui\"\n", []string{"tts.engine", "auto, kokoro, piper, flite"}, ErrInvalidValue},
		{"bad whisper language", "[asr.whisper]\nlanguage = \"English\"\n", []string{"asr.whisper.language", "auto"}, ErrInvalidValue},
		{"bad whisper task", "[asr.whisper]\ntask = \"summarise\"\n", []string{"asr.whisper.task", "transcribe, translate"}, ErrInvalidValue},
		{"bad whisper model", "[asr.whisper]\nmodel = \"tiny\"\n", []string{"asr.whisper.model", "whisper-tiny.en"}, ErrInvalidValue},
		{"syntax", "[vad\n", []string{"line"}, ErrSyntax},
		{"bad detector", "[turn]\ndetector = \"vad\"\n", []string{"turn.detector", "auto, text, smart-turn"}, ErrInvalidValue},
		{"max silence under min", "[turn]\nmin_silence = \"500ms\"\nmax_silence = \"400ms\"\n", []string{"turn.max_silence", "500ms to 10s"}, ErrInvalidValue},
		{"speculate after min silence", "[turn]\nspeculate_after = \"300ms\"\n", []string{"turn.speculate_after", "32ms to 250ms"}, ErrInvalidValue},
		{"bad turn device", "[turn]\ndevice = \"gpu0\"\n", []string{"turn.device"}, ErrInvalidValue},
		{"two problems", "[vad]\nthreshold = 2.0\n[gpu]\nmemory_fraction = 3.0\n", []string{"vad.threshold", "gpu.memory_fraction"}, ErrInvalidValue},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(defaults(t), tc.doc, "user.toml")
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("error %q is not %v", err, tc.sentinel)
			}
		})
	}
}

func TestLoadSearchOrder(t *testing.T) {
	dir := t.TempDir()
	work := filepath.Join(dir, "work")
	home := filepath.Join(dir, "home")
	must(t, os.MkdirAll(filepath.Join(home, "parley"), 0o755))
	must(t, os.MkdirAll(work, 0o755))
	must(t, os.WriteFile(filepath.Join(home, "parley", "config.toml"), []byte("[tts.flite]\nvoice = \"rms\"\n"), 0o644))

	got, err := Load(defaults(t), Locations{WorkDir: work, ConfigHome: home})
	must(t, err)
	if got.Config.TTS.Flite.Voice != "rms" || !strings.HasSuffix(got.File, "parley/config.toml") {
		t.Errorf("XDG file not used: %q %q", got.File, got.Config.TTS.Flite.Voice)
	}
	if !got.Wrote("tts.flite.voice") || got.Wrote("llm.model") {
		t.Errorf("Wrote: tts.flite.voice %v, llm.model %v", got.Wrote("tts.flite.voice"), got.Wrote("llm.model"))
	}

	must(t, os.WriteFile(filepath.Join(work, "parley.toml"), []byte("[tts.flite]\nvoice = \"awb\"\n"), 0o644))
	got, err = Load(defaults(t), Locations{WorkDir: work, ConfigHome: home})
	must(t, err)
	if got.Config.TTS.Flite.Voice != "awb" {
		t.Errorf("./parley.toml should win over the XDG file, got %q", got.Config.TTS.Flite.Voice)
	}

	_, err = Load(defaults(t), Locations{Explicit: filepath.Join(dir, "missing.toml")})
	if err == nil || !strings.Contains(err.Error(), "missing.toml") {
		t.Errorf("missing --config file: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestWebBackendIsAccepted(t *testing.T) {
	cfg, err := Parse(defaults(t), "[audio]\nbackend = \"web\"\nweb_addr = \":9000\"\n", "user")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Audio.Backend != "web" || cfg.Audio.WebAddr != ":9000" {
		t.Errorf("audio %+v", cfg.Audio)
	}
}

func TestWhisperKeys(t *testing.T) {
	for _, model := range []string{"whisper-base.en", "/models/sherpa-onnx-whisper-small", "./my-whisper"} {
		doc := "[asr]\nengine = \"whisper\"\n[asr.whisper]\nmodel = \"" + model + "\"\nlanguage = \"de\"\ntask = \"translate\"\n"
		cfg, err := Parse(defaults(t), doc, "user")
		if err != nil {
			t.Fatalf("model %q: %v", model, err)
		}
		if w := cfg.ASR.Whisper; cfg.ASR.Engine != "whisper" || w.Model != model || w.Language != "de" || w.Task != "translate" {
			t.Errorf("model %q: parsed %+v", model, cfg.ASR)
		}
	}
}

func TestKokoroKeys(t *testing.T) {
	doc := "[tts]\nengine = \"kokoro\"\ndevice = \"cuda:0\"\n[tts.kokoro]\nmodel = \"/m/kokoro\"\nvoice = \"bf_emma\"\nspeed = 1.25\n"
	cfg, err := Parse(defaults(t), doc, "user")
	if err != nil {
		t.Fatal(err)
	}
	if k := cfg.TTS.Kokoro; cfg.TTS.Engine != "kokoro" || k.Model != "/m/kokoro" || k.Voice != "bf_emma" || k.Speed != 1.25 {
		t.Errorf("parsed %+v", cfg.TTS)
	}
}

// TestErrorsNameOnlyWhatTheUserWrote: a bad or conflicting value is blamed
// on the key the user wrote, never on one left at its default, and NaN or
// infinity never serves as a bound.
func TestErrorsNameOnlyWhatTheUserWrote(t *testing.T) {
	cases := []struct {
		name, doc string
		want      []string // the only key blamed comes first
	}{
		{"out of range", "[vad]\nthreshold = 1.5\n", []string{"vad.threshold: ", "1.5; allowed: 0.01 to 0.99"}},
		{"nan", "[vad]\nthreshold = nan\n", []string{"vad.threshold: ", "not a number; allowed: 0.01 to 0.99"}},
		{"inf", "[vad]\nthreshold = inf\n", []string{"vad.threshold: ", "+Inf is not a finite number"}},
		{"minus inf", "[gpu]\nmemory_fraction = -inf\n", []string{"gpu.memory_fraction: ", "-Inf is not a finite number"}},
		{"above a default", "[vad]\nthreshold = 0.9\n", []string{"vad.threshold: ", "0.9; must not be above vad.playback_threshold (0.85, its default)"}},
		{"below a default", "[vad]\nthreshold = 0.3\n", []string{"vad.threshold: ", "0.3; must not be below vad.neg_threshold (0.35, its default)"}},
		{"playback below threshold", "[vad]\nplayback_threshold = 0.4\n", []string{"vad.playback_threshold: ", "must not be below vad.threshold (0.5, its default)"}},
		{"neg above threshold", "[vad]\nneg_threshold = 0.6\n", []string{"vad.neg_threshold: ", "must not be above vad.threshold (0.5, its default)"}},
		{"both written", "[vad]\nthreshold = 0.6\nplayback_threshold = 0.55\n", []string{"vad.playback_threshold: ", "must not be below vad.threshold (0.6)"}},
		{"spoken cap", "[conversation]\nmax_spoken_chars = 10\n", []string{"conversation.max_spoken_chars: ", "100 to 1000000"}},
		{"synthesis ahead", "[conversation]\nsynth_ahead_units = 0\n", []string{"conversation.synth_ahead_units: ", "1 to 64"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(defaults(t), tc.doc, "user.toml")
			if err == nil {
				t.Fatal("want an error")
			}
			msg := strings.TrimPrefix(err.Error(), "config user.toml: ")
			if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, tc.want[0]) {
				t.Errorf("error %q, want one problem, with %s", msg, tc.want[0])
			}
			for _, w := range tc.want[1:] {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if strings.Contains(msg, "to NaN") || strings.Contains(msg, "to +Inf") {
				t.Errorf("error %q uses a non-number as a bound", msg)
			}
			if !errors.Is(err, ErrInvalidValue) {
				t.Errorf("error %q is not ErrInvalidValue", err)
			}
		})
	}
}

func TestSpeculationOff(t *testing.T) {
	cfg, err := Parse(defaults(t), "[turn]\nspeculate_after = \"0s\"\n", "user")
	if err != nil || cfg.Turn.SpeculateAfter.Duration != 0 {
		t.Errorf("speculate_after = 0s: %v, %+v", err, cfg.Turn)
	}
}

func TestIntraOpFor(t *testing.T) {
	tests := []struct {
		set, parallel, cores, want int
	}{
		{0, 1, 2, 2},  // the live turn: every core
		{0, 3, 2, 1},  // parley transcribe --parallel 3 on 2 cores
		{0, 2, 16, 8}, // two runs share 16 cores
		{0, 0, 4, 4},  // no parallelism given
		{3, 1, 2, 3},  // onnx.intra_op_threads set: used as is
		{1, 4, 16, 1},
	}
	for _, tt := range tests {
		if got := (ONNX{IntraOpThreads: tt.set}).IntraOpFor(tt.parallel, tt.cores); got != tt.want {
			t.Errorf("intra_op_threads %d, %d runs on %d cores: %d threads, want %d", tt.set, tt.parallel, tt.cores, got, tt.want)
		}
	}
}
