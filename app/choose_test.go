package app

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"parley/config"
	"parley/internal/testenv"
	"parley/pipeline/asr"
)

// disk is a made-up machine for the engine choice: the files that exist,
// the installed catalog models (name -> folder), and ONNX Runtime.
type disk struct {
	onnx      bool
	files     []string
	installed map[string]string
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
		{"asr auto: nothing installed", ChooseASR, nil, disk{onnx: true},
			"pocketsphinx", "", "pocketsphinx, because no SenseVoice or Paraformer model is installed (parley models pull sensevoice-small-int8)"},
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
			"flite", "", "flite, because no Piper voice is installed (parley models pull piper-en_US-lessac-medium, or set tts.piper.model)"},
		{"tts flite", ChooseTTS, func(c *config.Config) { c.TTS.Engine = "flite" }, disk{onnx: true, installed: map[string]string{"piper-en_US-lessac-medium": "/m/lessac"}},
			"flite", "", `tts.engine = "flite"`},
		{"tts piper without runtime", ChooseTTS, func(c *config.Config) { c.TTS.Engine = "piper" }, disk{},
			"", "", `tts.engine = "piper": ONNX Runtime did not load`},
	}
	base := testenv.Config(t)
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

func TestJoinOr(t *testing.T) {
	for want, in := range map[string][]string{"a": {"a"}, "a or b": {"a", "b"}, "a, b or c": {"a", "b", "c"}} {
		if got := joinOr(in); got != want {
			t.Errorf("joinOr(%q) = %q", in, got)
		}
	}
}
