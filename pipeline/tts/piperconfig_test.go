package tts

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testVoiceJSON = "testdata/piper/en_US-test-small.onnx.json"

func TestVoiceConfigTestdata(t *testing.T) {
	cfg, err := LoadVoiceConfig(testVoiceJSON)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SampleRate != 22050 || cfg.ESpeakVoice != "en-us" || cfg.PhonemeType != PhonemeTypeESpeak {
		t.Errorf("rate, voice, type = %d, %q, %q", cfg.SampleRate, cfg.ESpeakVoice, cfg.PhonemeType)
	}
	if cfg.NoiseScale != 0.667 || cfg.LengthScale != 1 || cfg.NoiseW != 0.8 {
		t.Errorf("inference = %g, %g, %g", cfg.NoiseScale, cfg.LengthScale, cfg.NoiseW)
	}
	if cfg.NumSymbols != 256 || cfg.NumSpeakers != 1 || len(cfg.PhonemeIDMap) != 130 {
		t.Errorf("symbols, speakers, map = %d, %d, %d", cfg.NumSymbols, cfg.NumSpeakers, len(cfg.PhonemeIDMap))
	}
	for r, want := range map[rune]int64{'_': 0, '^': 1, '$': 2, ' ': 3, ',': 8, '.': 10, '?': 13, 'a': 14, 'ə': 59, 'ɪ': 74, 'ˈ': 120} {
		if ids := cfg.PhonemeIDMap[r]; len(ids) != 1 || ids[0] != want {
			t.Errorf("phoneme_id_map[%q] = %v, want [%d]", r, ids, want)
		}
	}
}

// mutatedVoice returns the testdata JSON with edit applied.
func mutatedVoice(t *testing.T, edit func(map[string]any)) []byte {
	t.Helper()
	data, err := os.ReadFile(testVoiceJSON)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func idMap(m map[string]any) map[string]any { return m["phoneme_id_map"].(map[string]any) }

func TestVoiceConfigErrors(t *testing.T) {
	cases := []struct {
		name, key string
		edit      func(map[string]any)
	}{
		{"no sample rate", "audio.sample_rate", func(m map[string]any) { delete(m["audio"].(map[string]any), "sample_rate") }},
		{"no audio", "audio.sample_rate", func(m map[string]any) { delete(m, "audio") }},
		{"no espeak voice", "espeak.voice", func(m map[string]any) { delete(m, "espeak") }},
		{"bad phoneme type", "phoneme_type", func(m map[string]any) { m["phoneme_type"] = "arpabet" }},
		{"no id map", "phoneme_id_map", func(m map[string]any) { delete(m, "phoneme_id_map") }},
		{"no pad", "phoneme_id_map._", func(m map[string]any) { delete(idMap(m), "_") }},
		{"no bos", "phoneme_id_map.^", func(m map[string]any) { delete(idMap(m), "^") }},
		{"no eos", "phoneme_id_map.$", func(m map[string]any) { delete(idMap(m), "$") }},
		{"id past num_symbols", "phoneme_id_map.a", func(m map[string]any) { idMap(m)["a"] = []int{300} }},
		{"two code points", "phoneme_id_map.ab", func(m map[string]any) { idMap(m)["ab"] = []int{5} }},
		{"zero length scale", "inference.length_scale", func(m map[string]any) {
			m["inference"].(map[string]any)["length_scale"] = 0
		}},
		{"no speakers", "num_speakers", func(m map[string]any) { m["num_speakers"] = 0 }},
		{"speaker id out of range", "speaker_id_map.x", func(m map[string]any) { m["speaker_id_map"] = map[string]int{"x": 3} }},
		{"bad phoneme_map", "phoneme_map.c", func(m map[string]any) { m["phoneme_map"] = map[string][]string{"c": {"kk"}} }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseVoiceConfig("voice.onnx.json", mutatedVoice(t, c.edit))
			if !errors.Is(err, ErrVoiceConfig) {
				t.Fatalf("err = %v, want ErrVoiceConfig", err)
			}
			if msg := err.Error(); !strings.Contains(msg, "voice.onnx.json") || !strings.Contains(msg, "key "+c.key+":") {
				t.Errorf("error %q does not name the file and key %s", msg, c.key)
			}
		})
	}
}

func TestVoiceConfigDefaults(t *testing.T) {
	data := mutatedVoice(t, func(m map[string]any) {
		for _, k := range []string{"inference", "phoneme_type", "phoneme_map", "num_speakers", "speaker_id_map", "num_symbols"} {
			delete(m, k)
		}
	})
	cfg, err := ParseVoiceConfig("v.json", data)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.NoiseScale != 0.667 || cfg.LengthScale != 1 || cfg.NoiseW != 0.8 || cfg.NumSpeakers != 1 || cfg.PhonemeType != "espeak" {
		t.Errorf("defaults = %+v", cfg)
	}
	text := mutatedVoice(t, func(m map[string]any) { m["phoneme_type"] = "text"; delete(m, "espeak") })
	if cfg, err := ParseVoiceConfig("v.json", text); err != nil || cfg.PhonemeType != PhonemeTypeText {
		t.Errorf("text voice without espeak key: %v, %q", err, cfg.PhonemeType)
	}
}

func TestVoiceConfigUnreadable(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.onnx.json")
	if _, err := LoadVoiceConfig(missing); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := ParseVoiceConfig("broken.json", []byte("{")); !errors.Is(err, ErrVoiceConfig) || !strings.Contains(err.Error(), "broken.json") {
		t.Errorf("broken JSON: %v", err)
	}
}

func TestVoiceConfigSpeakers(t *testing.T) {
	cfg, err := LoadVoiceConfig("testdata/piper-2spk/en_US-test-2spk.onnx.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]int64{"": 0, "alice": 0, "bob": 1, "1": 1} {
		if id, err := cfg.speakerID(name); err != nil || id != want {
			t.Errorf("speakerID(%q) = %d, %v; want %d", name, id, err, want)
		}
	}
	for _, bad := range []string{"carol", "2", "-1"} {
		if _, err := cfg.speakerID(bad); !errors.Is(err, ErrUnknownVoice) || !strings.Contains(err.Error(), "alice, bob") {
			t.Errorf("speakerID(%q): %v", bad, err)
		}
	}
}

func TestVoiceConfigPortugueseDefaultMap(t *testing.T) {
	br := mutatedVoice(t, func(m map[string]any) { m["espeak"] = map[string]any{"voice": "pt-br"} })
	cfg, err := ParseVoiceConfig("pt.json", br)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(cfg.PhonemeMap['c']); got != "k" {
		t.Errorf("pt-br c -> %q, want k (piper-phonemize default)", got)
	}
	own := mutatedVoice(t, func(m map[string]any) {
		m["espeak"] = map[string]any{"voice": "pt-br"}
		m["phoneme_map"] = map[string][]string{"c": {"s"}}
	})
	if cfg, err := ParseVoiceConfig("pt.json", own); err != nil || string(cfg.PhonemeMap['c']) != "s" {
		t.Errorf("the voice's own phoneme_map must win: %v, %q", err, string(cfg.PhonemeMap['c']))
	}
}
