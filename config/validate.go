package config

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Validate checks every value; the error names each bad key with its allowed
// values, all problems at once. Where two keys must agree it names either.
func (c Config) Validate() error {
	return c.validate(nil)
}

// keySet holds the keys a user file set ("vad.threshold"); nil stands for
// every key.
type keySet map[string]bool

func (w keySet) has(key string) bool {
	return w == nil || w[key]
}

// validate is Validate naming, where two keys must agree, only a key the
// user wrote.
func (c Config) validate(written keySet) error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(oneOf("audio.backend", c.Audio.Backend, "auto", "pulseaudio", "alsa", "null", "web"))
	add(hostPort("audio.web_addr", c.Audio.WebAddr))
	add(durationIn("audio.capture_buffer", c.Audio.CaptureBuffer, 100*time.Millisecond, time.Minute))
	add(durationIn("audio.aec_tail", c.Audio.AECTail, 20*time.Millisecond, 2*time.Second))
	add(durationIn("audio.aec_latency", c.Audio.AECLatency, 0, time.Second))
	add(autoOrDurationIn("audio.latency", c.Audio.Latency, 5*time.Millisecond, time.Second))
	add(c.VAD.validate(written))
	add(oneOf("asr.engine", c.ASR.Engine, "auto", "sensevoice", "paraformer", "whisper", "pocketsphinx"))
	add(c.ASR.Whisper.validate())
	add(intIn("asr.batch_size", c.ASR.BatchSize, 1, 64))
	add(intIn("asr.parallel", c.ASR.Parallel, 1, 32))
	add(floatIn("asr.max_chunk_seconds", c.ASR.MaxChunkSeconds, 2, 60))
	add(oneOf("asr.sensevoice.language", c.ASR.SenseVoice.Language, "auto", "zh", "en", "yue", "ja", "ko"))
	add(device("asr.device", c.ASR.Device))
	add(durationIn("asr.partial_interval", c.ASR.PartialInterval, 50*time.Millisecond, 10*time.Second))
	add(c.LLM.validate())
	add(oneOf("tts.engine", c.TTS.Engine, "auto", "kokoro", "piper", "flite"))
	add(floatIn("tts.piper.length_scale", c.TTS.Piper.LengthScale, 0, 5))
	add(floatIn("tts.piper.noise_scale", c.TTS.Piper.NoiseScale, 0, 2))
	add(floatIn("tts.piper.noise_w", c.TTS.Piper.NoiseW, 0, 2))
	add(floatIn("tts.kokoro.speed", c.TTS.Kokoro.Speed, 0.5, 2))
	add(notBlank("tts.kokoro.voice", c.TTS.Kokoro.Voice, "af_heart"))
	add(intIn("conversation.first_clause_chars", c.Conversation.FirstClauseChars, 0, 200))
	add(c.Conversation.validateUnits())
	add(c.Conversation.validateReplies())
	add(device("tts.device", c.TTS.Device))
	add(oneOf("tts.flite.voice", c.TTS.Flite.Voice, "slt", "kal16", "rms", "awb"))
	add(intIn("onnx.intra_op_threads", c.ONNX.IntraOpThreads, 0, 256))
	add(intIn("onnx.inter_op_threads", c.ONNX.InterOpThreads, 0, 256))
	add(c.GPU.validate())
	add(c.Turn.validate())
	return errors.Join(errs...)
}

func (v VAD) validate(written keySet) error {
	threshold := floatIn("vad.threshold", v.Threshold, 0.01, 0.99)
	neg := floatIn("vad.neg_threshold", v.NegThreshold, 0.01, 0.99)
	playback := floatIn("vad.playback_threshold", v.PlaybackThreshold, 0.01, 1)
	errs := []error{
		oneOf("vad.engine", v.Engine, "auto", "silero", "energy"),
		device("vad.device", v.Device),
		threshold, neg, playback,
		durationIn("vad.min_speech", v.MinSpeech, 0, 5*time.Second),
		durationIn("vad.min_silence", v.MinSilence, 32*time.Millisecond, 10*time.Second),
		durationIn("vad.pre_roll", v.PreRoll, 0, 2*time.Second),
		durationIn("vad.max_utterance", v.MaxUtterance, time.Second, 10*time.Minute),
		floatIn("vad.barge_in_level", v.BargeInLevel, -90, 0),
	}
	if threshold == nil && neg == nil {
		errs = append(errs, inOrder(keyValue{"vad.neg_threshold", v.NegThreshold}, keyValue{"vad.threshold", v.Threshold}, "vad.neg_threshold", written))
	}
	if threshold == nil && playback == nil {
		errs = append(errs, inOrder(keyValue{"vad.threshold", v.Threshold}, keyValue{"vad.playback_threshold", v.PlaybackThreshold}, "vad.playback_threshold", written))
	}
	return errors.Join(errs...)
}

// keyValue is a key and its value.
type keyValue struct {
	key string
	v   float64
}

// inOrder checks low <= high for two keys whose own ranges were checked.
// The error names dep, the key whose range the other one bounds, unless the
// user wrote only the other one: it never blames a key the user did not
// write.
func inOrder(low, high keyValue, dep string, written keySet) error {
	if low.v <= high.v {
		return nil
	}
	blame, other := low, high
	if dep == high.key {
		blame, other = high, low
	}
	if !written.has(blame.key) && written.has(other.key) {
		blame, other = other, blame
	}
	rel := "above"
	if blame == high {
		rel = "below"
	}
	note := ""
	if !written.has(other.key) {
		note = ", its default"
	}
	return fmt.Errorf("%s: %w: %g; must not be %s %s (%g%s)", blame.key, ErrInvalidValue, blame.v, rel, other.key, other.v, note)
}

func (t Turn) validate() error {
	errs := []error{
		oneOf("turn.detector", t.Detector, "auto", "text", "smart-turn"),
		device("turn.device", t.Device),
		durationIn("turn.min_silence", t.MinSilence, 32*time.Millisecond, 5*time.Second),
		durationIn("turn.max_silence", t.MaxSilence, max(t.MinSilence.Duration, 32*time.Millisecond), 10*time.Second),
	}
	if t.SpeculateAfter.Duration != 0 {
		errs = append(errs, durationIn("turn.speculate_after", t.SpeculateAfter, 32*time.Millisecond, t.MinSilence.Duration))
	}
	return errors.Join(errs...)
}

func (l LLM) validate() error {
	errs := []error{
		oneOf("llm.engine", l.Engine, "auto", "openai", "offline"),
		floatIn("llm.temperature", l.Temperature, -1, 2),
		intIn("llm.max_tokens", l.MaxTokens, 0, 32768),
		durationIn("llm.timeout", l.Timeout, time.Second, 10*time.Minute),
		intIn("llm.retries", l.Retries, 0, 10),
		intIn("llm.max_history_chars", l.MaxHistoryChars, 500, 1000000),
		durationIn("llm.check_interval", l.CheckInterval, time.Second, 10*time.Minute),
	}
	if u, err := url.Parse(l.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("llm.base_url: %w: %q; want an http or https URL such as http://127.0.0.1:11434/v1", ErrInvalidValue, l.BaseURL))
	}
	if l.Engine != "offline" && strings.TrimSpace(l.Model) == "" {
		errs = append(errs, fmt.Errorf("llm.model: %w: empty; name the model the server serves (e.g. llama3.2)", ErrInvalidValue))
	}
	return errors.Join(errs...)
}

func (c Conversation) validateUnits() error {
	if c.MaxUnitChars == 0 {
		return nil
	}
	return intIn("conversation.max_unit_chars", c.MaxUnitChars, 40, 2000)
}

func (c Conversation) validateReplies() error {
	return errors.Join(
		intIn("conversation.max_spoken_chars", c.MaxSpokenChars, 100, 1000000),
		intIn("conversation.max_reply_chars", c.MaxReplyChars, 1000, 10000000),
		intIn("conversation.synth_ahead_units", c.SynthAheadUnits, 1, 64),
		durationIn("conversation.synth_ahead", c.SynthAhead, time.Second, 10*time.Minute),
	)
}

func (g GPU) validate() error {
	errs := []error{
		device("gpu.device", g.Device),
		floatIn("gpu.memory_fraction", g.MemoryFraction, 0.05, 1),
		intIn("gpu.min_free_mib", g.MinFreeMiB, 0, 1<<20),
	}
	if g.Device == "cpu" {
		errs = append(errs, fmt.Errorf("gpu.device: %w: %q; want cuda:N", ErrInvalidValue, g.Device))
	}
	for role, w := range g.Weights {
		if !slices.Contains([]string{"vad", "asr", "tts"}, role) {
			errs = append(errs, fmt.Errorf("gpu.weights.%s: %w: unknown model; allowed: vad, asr, tts%s", role, ErrUnknownKey, weightHint(role)))
			continue
		}
		errs = append(errs, floatIn("gpu.weights."+role, w, 0, 100))
	}
	return errors.Join(errs...)
}

// weightHint explains, for the Whisper decoder's model name, that it has
// no weight of its own.
func weightHint(role string) string {
	if role == "asr-decoder" {
		return " (Whisper's decoder shares asr's weight with its encoder, split by their file sizes)"
	}
	return ""
}

// whisperLanguage is "auto" or a Whisper language code ("en", "haw", ...).
var whisperLanguage = regexp.MustCompile(`^(auto|[a-z]{2,3})$`)

func (w Whisper) validate() error {
	var errs []error
	if !whisperLanguage.MatchString(w.Language) {
		errs = append(errs, fmt.Errorf("asr.whisper.language: %w: %q; allowed: auto or a language code such as en, de, zh", ErrInvalidValue, w.Language))
	}
	if w.Model != "" && !strings.ContainsRune(w.Model, '/') && !strings.HasPrefix(w.Model, "whisper-") {
		errs = append(errs, fmt.Errorf("asr.whisper.model: %w: %q; allowed: a catalog name (whisper-tiny.en, whisper-base.en, ...; see parley models list) or a folder path", ErrInvalidValue, w.Model))
	}
	return errors.Join(append(errs, oneOf("asr.whisper.task", w.Task, "transcribe", "translate"))...)
}

func oneOf(key, v string, allowed ...string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	return fmt.Errorf("%s: %w: %q; allowed: %s", key, ErrInvalidValue, v, strings.Join(allowed, ", "))
}

var devicePattern = regexp.MustCompile(`^(cpu|cuda:[0-9]+)$`)

func device(key, v string) error {
	if devicePattern.MatchString(v) {
		return nil
	}
	return fmt.Errorf("%s: %w: %q; allowed: cpu, cuda:N (e.g. cuda:0)", key, ErrInvalidValue, v)
}

// notBlank refuses an empty or blank value; example shows a good one.
func notBlank(key, v, example string) error {
	if strings.TrimSpace(v) != "" {
		return nil
	}
	return fmt.Errorf("%s: %w: empty; name one, e.g. %s", key, ErrInvalidValue, example)
}

func floatIn(key string, v, lo, hi float64) error {
	switch {
	case math.IsNaN(v):
		return fmt.Errorf("%s: %w: nan is not a number; allowed: %g to %g", key, ErrInvalidValue, lo, hi)
	case math.IsInf(v, 0):
		return fmt.Errorf("%s: %w: %g is not a finite number; allowed: %g to %g", key, ErrInvalidValue, v, lo, hi)
	case v >= lo && v <= hi:
		return nil
	}
	return fmt.Errorf("%s: %w: %g; allowed: %g to %g", key, ErrInvalidValue, v, lo, hi)
}

func intIn(key string, v, lo, hi int) error {
	if v >= lo && v <= hi {
		return nil
	}
	return fmt.Errorf("%s: %w: %d; allowed: %d to %d", key, ErrInvalidValue, v, lo, hi)
}

// hostPort accepts host:port with a numeric port; an empty host means every
// interface.
func hostPort(key, v string) error {
	_, port, err := net.SplitHostPort(v)
	if n, perr := strconv.Atoi(port); err == nil && perr == nil && n >= 0 && n <= 65535 {
		return nil
	}
	return fmt.Errorf("%s: %w: %q; allowed: host:port, e.g. 127.0.0.1:8765", key, ErrInvalidValue, v)
}

// autoOrDurationIn accepts "auto" or a duration from lo to hi.
func autoOrDurationIn(key, v string, lo, hi time.Duration) error {
	if v == "auto" {
		return nil
	}
	if d, err := time.ParseDuration(v); err == nil && d >= lo && d <= hi {
		return nil
	}
	return fmt.Errorf("%s: %w: %q; allowed: auto, or %s to %s", key, ErrInvalidValue, v, lo, hi)
}

func durationIn(key string, v Duration, lo, hi time.Duration) error {
	if v.Duration >= lo && v.Duration <= hi {
		return nil
	}
	return fmt.Errorf("%s: %w: %s; allowed: %s to %s", key, ErrInvalidValue, v.Duration, lo, hi)
}
