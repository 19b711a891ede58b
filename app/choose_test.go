package app

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"parley/config"
	"parley/internal/testenv"
	"parley/models"
	"parley/pipeline/asr"
	"parley/pipeline/tts"
)

// disk is a made-up machine for the engine choice: the files that exist,
// the installed catalog models (name -> folder), ONNX Runtime, and why a
// GPU cannot be used ("" when it can).
type disk struct {
	onnx      bool
	files     []string
	installed map[string]string
	noGPU     string
}

func (d disk) facts() Facts {
	has := func(p string) bool {
		for _, f := range d.files {
			if f == p || strings.HasPrefix(f, p+"/") {
				return true
			}
		}
		return false
	}
	return Facts{
		ONNX:           d.onnx,
		SileroModel:    "/cache/silero_vad_v5.onnx",
		SmartTurnModel: "/cache/smart-turn-v3/smart-turn-v3.2-cpu.onnx",
		Exists:         has,
		Installed: func(name string) (string, bool) {
			dir, ok := d.installed[name]
			return dir, ok
		},
		ASRModel: func(dir string) (asr.ModelFiles, error) {
			f := asr.ModelFiles{Dir: dir}
			if has(dir + "/model.int8.onnx") {
				f.Int8 = dir + "/model.int8.onnx"
			}
			if has(dir + "/model.onnx") {
				f.FP32 = dir + "/model.onnx"
			}
			if f.Int8 == "" && f.FP32 == "" {
				return f, fmt.Errorf("no model.onnx in %s: %w", dir, asr.ErrModelMissing)
			}
			return f, nil
		},
		Voice: func(path string) (string, string, error) {
			if !has(path) {
				return "", "", errors.New("no piper voice found")
			}
			return path + "/voice.onnx", path + "/voice.onnx.json", nil
		},
		Whisper: d.whisper(has),
		Kokoro: func(path string) (tts.KokoroFiles, error) {
			if path == "" || !has(path) {
				return tts.FindKokoro("") // the error of a missing model
			}
			return tts.KokoroFiles{Model: path + "/kokoro.onnx", Voices: path + "/voices-v1.0.bin"}, nil
		},
		Catalog: func(name string) bool { _, ok := models.Lookup(name); return ok },
		GPU:     func(string) string { return d.noGPU },
	}
}

// whisper lists a made-up Whisper folder: enc/dec .int8.onnx, .onnx and
// .weights where they exist.
func (d disk) whisper(has func(string) bool) func(string) (asr.WhisperFiles, error) {
	return func(dir string) (asr.WhisperFiles, error) {
		f := asr.WhisperFiles{Dir: dir, Prefix: "m"}
		for _, g := range []struct {
			name string
			dst  *string
		}{{"enc.int8.onnx", &f.EncoderInt8}, {"dec.int8.onnx", &f.DecoderInt8}, {"enc.onnx", &f.Encoder},
			{"dec.onnx", &f.Decoder}, {"enc.weights", &f.EncoderWeights}, {"dec.weights", &f.DecoderWeights}} {
			if has(dir + "/" + g.name) {
				*g.dst = dir + "/" + g.name
			}
		}
		if f.EncoderInt8 == "" && f.Encoder == "" {
			return f, fmt.Errorf("%s: %w: no Whisper model here", dir, asr.ErrModelMissing)
		}
		return f, nil
	}
}

// TestChooseEngines walks every role's preference list: the engine asked
// for, the first installed one with auto, the built-in fallback and why.
func TestChooseEngines(t *testing.T) {
	sv := map[string]string{"sensevoice-small-int8": "/m/sv8", "sensevoice-small-fp32": "/m/sv32"}
	svFiles := []string{"/m/sv8/model.int8.onnx", "/m/sv32/model.onnx"}
	tests := []struct {
		name   string
		choose func(config.Config, Facts) (Choice, error)
		set    func(*config.Config)
		disk   disk
		engine string
		onnx   string
		reason string // a substring of the reason, or of the error when engine is ""
	}{
		{"vad auto: silero", ChooseVAD, nil, disk{onnx: true, files: []string{"/cache/silero_vad_v5.onnx"}},
			"silero", "/cache/silero_vad_v5.onnx", "Silero VAD v5 at /cache/silero_vad_v5.onnx"},
		{"vad auto: model missing", ChooseVAD, nil, disk{onnx: true},
			"energy", "", "energy detector, because the Silero model is missing: /cache/silero_vad_v5.onnx (run make setup, or set vad.model)"},
		{"vad auto: no runtime", ChooseVAD, nil, disk{files: []string{"/cache/silero_vad_v5.onnx"}},
			"energy", "", "energy detector, because Silero needs ONNX Runtime: ONNX Runtime did not load"},
		{"vad energy", ChooseVAD, func(c *config.Config) { c.VAD.Engine = "energy" }, disk{onnx: true, files: []string{"/cache/silero_vad_v5.onnx"}},
			"energy", "", `vad.engine = "energy"`},
		{"vad silero missing", ChooseVAD, func(c *config.Config) { c.VAD.Engine = "silero"; c.VAD.Model = "/x.onnx" }, disk{onnx: true},
			"", "", `vad.engine = "silero": the Silero model is missing: /x.onnx`},
		{"asr auto: sensevoice int8 on the cpu", ChooseASR, nil, disk{onnx: true, files: svFiles, installed: sv},
			"sensevoice", "/m/sv8/model.int8.onnx", "sensevoice from /m/sv8"},
		{"asr auto: sensevoice fp32 on a gpu", ChooseASR, func(c *config.Config) { c.ASR.Device = "cuda:0" }, disk{onnx: true, files: svFiles, installed: sv},
			"sensevoice", "/m/sv32/model.onnx", "sensevoice from /m/sv32"},
		{"asr auto: paraformer second", ChooseASR, nil, disk{onnx: true, files: []string{"/m/pf/model.int8.onnx"}, installed: map[string]string{"paraformer-large-zh-int8": "/m/pf"}},
			"paraformer", "/m/pf/model.int8.onnx", "paraformer from /m/pf"},
		{"asr auto: whisper third", ChooseASR, nil, disk{onnx: true, files: wtFiles, installed: map[string]string{"whisper-tiny.en": "/m/wt"}},
			"whisper", "/m/wt/enc.int8.onnx", "whisper m from /m/wt (encoder enc.int8.onnx, decoder dec.int8.onnx; both on asr.device = cpu)"},
		{"asr auto: whisper after sensevoice", ChooseASR, nil, disk{onnx: true, files: append(wtFiles, svFiles...),
			installed: map[string]string{"whisper-tiny.en": "/m/wt", "sensevoice-small-int8": "/m/sv8"}}, "sensevoice", "/m/sv8/model.int8.onnx", "sensevoice"},
		{"asr auto: nothing installed", ChooseASR, nil, disk{onnx: true},
			"pocketsphinx", "", "pocketsphinx, because no SenseVoice, Paraformer or Whisper model is installed (parley models pull sensevoice-small-int8)"},
		{"asr whisper: the smallest on the cpu", ChooseASR, whisper(""), disk{onnx: true, files: append(wtFiles, "/m/turbo/enc.int8.onnx"),
			installed: map[string]string{"whisper-tiny.en": "/m/wt", "whisper-large-v3-turbo": "/m/turbo"}}, "whisper", "/m/wt/enc.int8.onnx", "from /m/wt"},
		{"asr whisper: the largest on a gpu", ChooseASR, func(c *config.Config) { whisper("")(c); c.ASR.Device = "cuda:0" },
			disk{onnx: true, files: append(wtFiles, "/m/turbo/enc.int8.onnx"), installed: map[string]string{"whisper-tiny.en": "/m/wt", "whisper-large-v3-turbo": "/m/turbo"}},
			"whisper", "/m/turbo/enc.int8.onnx", "from /m/turbo"},
		{"asr whisper: fp32 on a gpu", ChooseASR, func(c *config.Config) { whisper("/m/big")(c); c.ASR.Device = "cuda:0" },
			disk{onnx: true, files: []string{"/m/big/enc.int8.onnx", "/m/big/enc.onnx", "/m/big/dec.onnx", "/m/big/enc.weights"}},
			"whisper", "/m/big/enc.onnx", "encoder enc.onnx, decoder dec.onnx; both on asr.device = cuda:0"},
		{"asr whisper: catalog name installed", ChooseASR, whisper("whisper-base.en"), disk{onnx: true, files: []string{"/m/wb/enc.int8.onnx"},
			installed: map[string]string{"whisper-base.en": "/m/wb", "whisper-tiny.en": "/m/wt"}}, "whisper", "/m/wb/enc.int8.onnx", "from /m/wb"},
		{"asr whisper: catalog name not installed", ChooseASR, whisper("whisper-base.en"), disk{onnx: true},
			"", "", `asr.engine = "whisper": asr.whisper.model = "whisper-base.en" is not installed (parley models pull whisper-base.en)`},
		{"asr whisper: not a catalog name", ChooseASR, whisper("whisper-huge"), disk{onnx: true},
			"", "", `asr.whisper.model = "whisper-huge" is not a catalog model (parley models list shows them`},
		{"asr whisper: none installed", ChooseASR, whisper(""), disk{onnx: true},
			"", "", "no Whisper model is installed (parley models pull whisper-tiny.en, or set asr.whisper.model)"},
		{"asr whisper: folder without a model", ChooseASR, whisper("/m/empty"), disk{onnx: true},
			"", "", "/m/empty (asr.whisper.model): /m/empty: asr model file missing: no Whisper model here"},
		{"asr whisper without runtime", ChooseASR, whisper(""), disk{files: wtFiles, installed: map[string]string{"whisper-tiny.en": "/m/wt"}},
			"", "", `asr.engine = "whisper": ONNX Runtime did not load`},
		{"asr auto: no runtime", ChooseASR, nil, disk{files: svFiles, installed: sv},
			"pocketsphinx", "", "pocketsphinx, because ONNX Runtime did not load (see onnx.library and parley doctor)"},
		{"asr pocketsphinx", ChooseASR, func(c *config.Config) { c.ASR.Engine = "pocketsphinx" }, disk{onnx: true, files: svFiles, installed: sv},
			"pocketsphinx", "", `asr.engine = "pocketsphinx"`},
		{"asr sensevoice folder set", ChooseASR, func(c *config.Config) { c.ASR.Engine = "sensevoice"; c.ASR.SenseVoice.ModelDir = "/m/mine" },
			disk{onnx: true, files: []string{"/m/mine/model.onnx"}, installed: sv}, "sensevoice", "/m/mine/model.onnx", "sensevoice from /m/mine"},
		{"asr sensevoice broken", ChooseASR, func(c *config.Config) { c.ASR.Engine = "sensevoice"; c.ASR.SenseVoice.ModelDir = "/nonexistent/sv" }, disk{onnx: true},
			"", "", `asr.engine = "sensevoice": /nonexistent/sv (asr.sensevoice.model_dir): no model.onnx`},
		{"asr paraformer not installed", ChooseASR, func(c *config.Config) { c.ASR.Engine = "paraformer" }, disk{onnx: true},
			"", "", "no paraformer model: set asr.paraformer.model_dir or run parley models pull paraformer-large-zh-int8"},
		{"tts auto: piper", ChooseTTS, nil, disk{onnx: true, files: []string{"/m/lessac"}, installed: map[string]string{"piper-en_US-lessac-medium": "/m/lessac"}},
			"piper", "/m/lessac/voice.onnx", "Piper voice /m/lessac/voice.onnx"},
		{"tts auto: no voice", ChooseTTS, nil, disk{onnx: true},
			"flite", "", "flite, because no Piper or Kokoro model is installed (parley models pull piper-en_US-lessac-medium)"},
		{"tts auto: no voice, usable gpu", ChooseTTS, ttsOn("cuda:0"), disk{onnx: true},
			"flite", "", "flite, because no Kokoro or Piper model is installed (parley models pull kokoro-v1.0)"},
		{"tts auto: kokoro on a usable gpu", ChooseTTS, ttsOn("cuda:0"), disk{onnx: true, files: kokoroAndPiper, installed: bothVoices},
			"kokoro", "/m/k32/kokoro.onnx", "Kokoro kokoro.onnx (voice af_heart) on tts.device = cuda:0, auto's first choice on a usable GPU"},
		{"tts auto: piper before kokoro on the cpu", ChooseTTS, nil, disk{onnx: true, files: kokoroAndPiper, installed: bothVoices},
			"piper", "/m/lessac/voice.onnx", `Piper voice /m/lessac/voice.onnx; Kokoro is installed, but auto prefers it only on a GPU: tts.device = "cpu"; on the CPU a Kokoro-82M-sized model ran at RTF 1.0-1.6`},
		{"tts auto: piper when the gpu cannot be used", ChooseTTS, ttsOn("cuda:0"), disk{onnx: true, files: kokoroAndPiper, installed: bothVoices, noGPU: "no CUDA provider"},
			"piper", "/m/lessac/voice.onnx", `Piper voice /m/lessac/voice.onnx; Kokoro is installed, but auto prefers it only on a GPU: tts.device = "cuda:0" cannot be used: no CUDA provider; on the CPU`},
		{"tts auto: kokoro int8 on the cpu without piper", ChooseTTS, nil, disk{onnx: true, files: kokoroAndPiper, installed: kokoroOnly},
			"kokoro", "/m/k8/kokoro.onnx", `Kokoro kokoro.onnx (voice af_heart) on tts.device = cpu, auto's choice on the CPU because no Piper voice can be used (tts.device = "cpu"); it may speak slower than real time: a Kokoro-82M-sized model ran at RTF 1.0-1.6 on one core of a 2-core CPU, Piper-medium-sized at 0.10-0.13 (docs/benchmarks.md)`},
		{"tts kokoro on the cpu", ChooseTTS, func(c *config.Config) { c.TTS.Engine = "kokoro" }, disk{onnx: true, files: kokoroAndPiper, installed: bothVoices},
			"kokoro", "/m/k8/kokoro.onnx", "on tts.device = cpu; on a small CPU it may speak slower than real time"},
		{"tts kokoro model set", ChooseTTS, func(c *config.Config) { c.TTS.Engine = "kokoro"; c.TTS.Kokoro.Model = "/m/mine" }, disk{onnx: true, files: []string{"/m/mine"}},
			"kokoro", "/m/mine/kokoro.onnx", "Kokoro kokoro.onnx (voice af_heart)"},
		{"tts kokoro not installed", ChooseTTS, func(c *config.Config) { c.TTS.Engine = "kokoro" }, disk{onnx: true, files: []string{"/m/lessac"}, installed: map[string]string{"piper-en_US-lessac-medium": "/m/lessac"}},
			"", "", `tts.engine = "kokoro": no kokoro model found: no Kokoro model is installed (parley models pull kokoro-v1.0, or set tts.kokoro.model)`},
		{"tts kokoro model missing", ChooseTTS, func(c *config.Config) { c.TTS.Engine = "kokoro"; c.TTS.Kokoro.Model = "/m/gone" }, disk{onnx: true},
			"", "", `tts.engine = "kokoro": tts.kokoro.model /m/gone: no kokoro model found`},
		{"tts flite", ChooseTTS, func(c *config.Config) { c.TTS.Engine = "flite" }, disk{onnx: true, installed: map[string]string{"piper-en_US-lessac-medium": "/m/lessac"}},
			"flite", "", `tts.engine = "flite"`},
		{"tts piper without runtime", ChooseTTS, func(c *config.Config) { c.TTS.Engine = "piper" }, disk{},
			"", "", `tts.engine = "piper": ONNX Runtime did not load`},
	}
	base := testenv.Config(t)
	if base.TTS.Engine != "auto" || base.ASR.Engine != "auto" || base.ASR.Device != "cpu" {
		t.Fatalf("test config %+v %+v: the cases assume auto engines on the CPU", base.ASR, base.TTS)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			if tc.set != nil {
				tc.set(&cfg)
			}
			c, err := tc.choose(cfg, tc.disk.facts())
			got := c.Reason
			if tc.engine == "" {
				if err == nil {
					t.Fatalf("chose %+v, want an error", c)
				}
				got = err.Error()
			} else if err != nil {
				t.Fatal(err)
			}
			if c.Engine != tc.engine || c.Files.ONNX != tc.onnx || !strings.Contains(got, tc.reason) {
				t.Errorf("got %q %q %q\nwant %q %q %q", c.Engine, c.Files.ONNX, got, tc.engine, tc.onnx, tc.reason)
			}
		})
	}
}

var (
	wtFiles        = []string{"/m/wt/enc.int8.onnx", "/m/wt/dec.int8.onnx"}
	kokoroAndPiper = []string{"/m/lessac", "/m/k32", "/m/k8"}
	bothVoices     = map[string]string{"piper-en_US-lessac-medium": "/m/lessac", "kokoro-v1.0": "/m/k32", "kokoro-v1.0-int8": "/m/k8"}
	kokoroOnly     = map[string]string{"kokoro-v1.0": "/m/k32", "kokoro-v1.0-int8": "/m/k8"}
)

// whisper selects Whisper with asr.whisper.model = model.
func whisper(model string) func(*config.Config) {
	return func(c *config.Config) { c.ASR.Engine, c.ASR.Whisper.Model = "whisper", model }
}

// ttsOn puts the TTS on device.
func ttsOn(device string) func(*config.Config) {
	return func(c *config.Config) { c.TTS.Device = device }
}

func TestJoinOr(t *testing.T) {
	for want, in := range map[string][]string{"a": {"a"}, "a or b": {"a", "b"}, "a, b or c": {"a", "b", "c"}} {
		if got := joinOr(in); got != want {
			t.Errorf("joinOr(%q) = %q", in, got)
		}
	}
}
