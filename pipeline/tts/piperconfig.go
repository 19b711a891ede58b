package tts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Piper's special phonemes (MODEL_CONTRACTS.md section 4).
const (
	piperPad = '_' // between phonemes
	piperBOS = '^' // beginning of sentence
	piperEOS = '$' // end of sentence
)

// Phoneme types of a Piper voice (JSON key phoneme_type).
const (
	// PhonemeTypeESpeak phonemises text with espeak-ng (IPA).
	PhonemeTypeESpeak = "espeak"
	// PhonemeTypeText uses the text's own NFD code points as phonemes.
	PhonemeTypeText = "text"
)

// Piper's inference defaults, used when the voice JSON has no inference key.
const (
	defaultNoiseScale  = 0.667
	defaultLengthScale = 1.0
	defaultNoiseW      = 0.8
)

// VoiceConfig is a Piper voice's settings, read from its .onnx.json file.
type VoiceConfig struct {
	// Path is the file the settings were read from.
	Path string
	// SampleRate is the model's output rate in Hz (audio.sample_rate).
	SampleRate int
	// ESpeakVoice is the espeak-ng voice that phonemises text (espeak.voice).
	ESpeakVoice string
	// NoiseScale, LengthScale and NoiseW are the inference defaults
	// (inference.noise_scale, inference.length_scale, inference.noise_w).
	NoiseScale, LengthScale, NoiseW float64
	// PhonemeType is PhonemeTypeESpeak or PhonemeTypeText (phoneme_type).
	PhonemeType string
	// PhonemeMap replaces a phoneme by others before ids are looked up
	// (phoneme_map).
	PhonemeMap map[rune][]rune
	// PhonemeIDMap gives each phoneme its model ids (phoneme_id_map).
	PhonemeIDMap map[rune][]int64
	// NumSymbols is the size of the model's symbol table (num_symbols; 0 if absent).
	NumSymbols int
	// NumSpeakers is the number of speakers (num_speakers; 1 if absent).
	NumSpeakers int
	// SpeakerIDMap maps speaker names to ids (speaker_id_map).
	SpeakerIDMap map[string]int64
}

// voiceJSON mirrors the file; pointers tell a missing key from a zero.
type voiceJSON struct {
	Audio *struct {
		SampleRate *int `json:"sample_rate"`
	} `json:"audio"`
	ESpeak *struct {
		Voice *string `json:"voice"`
	} `json:"espeak"`
	Inference *struct {
		NoiseScale  *float64 `json:"noise_scale"`
		LengthScale *float64 `json:"length_scale"`
		NoiseW      *float64 `json:"noise_w"`
	} `json:"inference"`
	PhonemeType  *string             `json:"phoneme_type"`
	PhonemeMap   map[string][]string `json:"phoneme_map"`
	PhonemeIDMap map[string][]int64  `json:"phoneme_id_map"`
	NumSymbols   *int                `json:"num_symbols"`
	NumSpeakers  *int                `json:"num_speakers"`
	SpeakerIDMap map[string]int64    `json:"speaker_id_map"`
}

// LoadVoiceConfig reads and checks a Piper voice JSON file. Errors wrap
// ErrVoiceConfig and name the file and the key at fault.
func LoadVoiceConfig(path string) (VoiceConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return VoiceConfig{}, fmt.Errorf("piper voice config: %w", err)
	}
	return ParseVoiceConfig(path, data)
}

// ParseVoiceConfig parses the JSON of a Piper voice; path only names it in
// errors, which wrap ErrVoiceConfig and name the key at fault.
func ParseVoiceConfig(path string, data []byte) (VoiceConfig, error) {
	var raw voiceJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return VoiceConfig{}, fmt.Errorf("piper voice config %s: %w: %w", path, ErrVoiceConfig, err)
	}
	cfg := VoiceConfig{Path: path}
	for _, step := range []func(*VoiceConfig, *voiceJSON) (string, error){
		parseAudio, parseESpeak, parseInference, parseIDMap, parsePhonemeMap, parseSpeakers,
	} {
		if key, err := step(&cfg, &raw); err != nil {
			return VoiceConfig{}, fmt.Errorf("piper voice config %s: key %s: %w", path, key, err)
		}
	}
	return cfg, nil
}

func parseAudio(cfg *VoiceConfig, raw *voiceJSON) (string, error) {
	if raw.Audio == nil || raw.Audio.SampleRate == nil {
		return "audio.sample_rate", fmt.Errorf("%w: missing", ErrVoiceConfig)
	}
	if *raw.Audio.SampleRate <= 0 {
		return "audio.sample_rate", fmt.Errorf("%w: %d Hz", ErrVoiceConfig, *raw.Audio.SampleRate)
	}
	cfg.SampleRate = *raw.Audio.SampleRate
	return "", nil
}

func parseESpeak(cfg *VoiceConfig, raw *voiceJSON) (string, error) {
	cfg.PhonemeType = PhonemeTypeESpeak
	if raw.PhonemeType != nil {
		cfg.PhonemeType = *raw.PhonemeType
	}
	switch cfg.PhonemeType {
	case PhonemeTypeText:
		return "", nil
	case PhonemeTypeESpeak:
	default:
		return "phoneme_type", fmt.Errorf("%w: %q, want %q or %q",
			ErrVoiceConfig, cfg.PhonemeType, PhonemeTypeESpeak, PhonemeTypeText)
	}
	if raw.ESpeak == nil || raw.ESpeak.Voice == nil || *raw.ESpeak.Voice == "" {
		return "espeak.voice", fmt.Errorf("%w: missing (needed by phoneme_type %q)", ErrVoiceConfig, cfg.PhonemeType)
	}
	cfg.ESpeakVoice = *raw.ESpeak.Voice
	return "", nil
}

func parseInference(cfg *VoiceConfig, raw *voiceJSON) (string, error) {
	cfg.NoiseScale, cfg.LengthScale, cfg.NoiseW = defaultNoiseScale, defaultLengthScale, defaultNoiseW
	if raw.Inference == nil {
		return "", nil
	}
	for _, f := range []struct {
		key string
		in  *float64
		out *float64
	}{
		{"inference.noise_scale", raw.Inference.NoiseScale, &cfg.NoiseScale},
		{"inference.length_scale", raw.Inference.LengthScale, &cfg.LengthScale},
		{"inference.noise_w", raw.Inference.NoiseW, &cfg.NoiseW},
	} {
		if f.in == nil {
			continue
		}
		if *f.in < 0 || (f.key == "inference.length_scale" && *f.in == 0) {
			return f.key, fmt.Errorf("%w: %g out of range", ErrVoiceConfig, *f.in)
		}
		*f.out = *f.in
	}
	return "", nil
}

func parseIDMap(cfg *VoiceConfig, raw *voiceJSON) (string, error) {
	if raw.NumSymbols != nil {
		cfg.NumSymbols = *raw.NumSymbols
	}
	if len(raw.PhonemeIDMap) == 0 {
		return "phoneme_id_map", fmt.Errorf("%w: missing or empty", ErrVoiceConfig)
	}
	cfg.PhonemeIDMap = make(map[rune][]int64, len(raw.PhonemeIDMap))
	for _, key := range sortedKeys(raw.PhonemeIDMap) {
		r, err := singleRune(key)
		if err != nil {
			return "phoneme_id_map." + key, err
		}
		ids := raw.PhonemeIDMap[key]
		if err := checkIDs(ids, cfg.NumSymbols); err != nil {
			return "phoneme_id_map." + key, err
		}
		cfg.PhonemeIDMap[r] = ids
	}
	for _, r := range []rune{piperPad, piperBOS, piperEOS} {
		if _, ok := cfg.PhonemeIDMap[r]; !ok {
			return "phoneme_id_map." + string(r), fmt.Errorf("%w: missing", ErrVoiceConfig)
		}
	}
	return "", nil
}

func checkIDs(ids []int64, numSymbols int) error {
	if len(ids) == 0 {
		return fmt.Errorf("%w: no ids", ErrVoiceConfig)
	}
	for _, id := range ids {
		if id < 0 || (numSymbols > 0 && id >= int64(numSymbols)) {
			return fmt.Errorf("%w: id %d outside [0, num_symbols=%d)", ErrVoiceConfig, id, numSymbols)
		}
	}
	return nil
}

func parsePhonemeMap(cfg *VoiceConfig, raw *voiceJSON) (string, error) {
	cfg.PhonemeMap = make(map[rune][]rune, len(raw.PhonemeMap))
	for _, key := range sortedKeys(raw.PhonemeMap) {
		from, err := singleRune(key)
		if err != nil {
			return "phoneme_map." + key, err
		}
		var to []rune
		for _, s := range raw.PhonemeMap[key] {
			r, err := singleRune(s)
			if err != nil {
				return "phoneme_map." + key, err
			}
			to = append(to, r)
		}
		cfg.PhonemeMap[from] = to
	}
	for from, to := range defaultPhonemeMap[cfg.ESpeakVoice] {
		if _, ok := cfg.PhonemeMap[from]; !ok {
			cfg.PhonemeMap[from] = to
		}
	}
	return "", nil
}

// defaultPhonemeMap is piper-phonemize's built-in phoneme_map per espeak
// voice, under the voice's own entries (an immutable table).
var defaultPhonemeMap = map[string]map[rune][]rune{
	"pt-br": {'c': {'k'}},
}

func parseSpeakers(cfg *VoiceConfig, raw *voiceJSON) (string, error) {
	cfg.NumSpeakers = 1
	if raw.NumSpeakers != nil {
		cfg.NumSpeakers = *raw.NumSpeakers
	}
	if cfg.NumSpeakers < 1 {
		return "num_speakers", fmt.Errorf("%w: %d", ErrVoiceConfig, cfg.NumSpeakers)
	}
	cfg.SpeakerIDMap = map[string]int64{}
	for name, id := range raw.SpeakerIDMap {
		if id < 0 || id >= int64(cfg.NumSpeakers) {
			return "speaker_id_map." + name, fmt.Errorf("%w: id %d outside [0, num_speakers=%d)",
				ErrVoiceConfig, id, cfg.NumSpeakers)
		}
		cfg.SpeakerIDMap[name] = id
	}
	return "", nil
}

// singleRune returns the one code point s holds; Piper's phonemes are
// single code points.
func singleRune(s string) (rune, error) {
	r, size := utf8.DecodeRuneInString(s)
	if s == "" || r == utf8.RuneError || size != len(s) {
		return 0, fmt.Errorf("%w: phoneme %q is not a single code point", ErrVoiceConfig, s)
	}
	return r, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// speakerID resolves a speaker name (or a decimal id) to an id; "" is
// speaker 0.
func (c VoiceConfig) speakerID(name string) (int64, error) {
	if name == "" {
		return 0, nil
	}
	if id, ok := c.SpeakerIDMap[name]; ok {
		return id, nil
	}
	if id, err := strconv.ParseInt(name, 10, 64); err == nil && id >= 0 && id < int64(c.NumSpeakers) {
		return id, nil
	}
	return 0, fmt.Errorf("tts.piper.speaker = %q, want one of %s: %w",
		name, strings.Join(sortedKeys(c.SpeakerIDMap), ", "), ErrUnknownVoice)
}
