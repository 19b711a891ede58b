package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Validate checks every value; the error names each bad key with its allowed
// values, all problems at once.
func (c Config) Validate() error {
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
	add(c.VAD.validate())
	add(oneOf("asr.engine", c.ASR.Engine, "auto", "sensevoice", "paraformer", "pocketsphinx"))
	add(intIn("asr.batch_size", c.ASR.BatchSize, 1, 64))
	add(intIn("asr.parallel", c.ASR.Parallel, 1, 32))
	add(floatIn("asr.max_chunk_seconds", c.ASR.MaxChunkSeconds, 2, 60))
	add(oneOf("asr.sensevoice.language", c.ASR.SenseVoice.Language, "auto", "zh", "en", "yue", "ja", "ko"))
	add(device("asr.device", c.ASR.Device))
	add(durationIn("asr.partial_interval", c.ASR.PartialInterval, 50*time.Millisecond, 10*time.Second))
	add(c.LLM.validate())
	add(oneOf("tts.engine", c.TTS.Engine, "auto", "piper", "flite"))
	add(floatIn("tts.piper.length_scale", c.TTS.Piper.LengthScale, 0, 5))
	add(floatIn("tts.piper.noise_scale", c.TTS.Piper.NoiseScale, 0, 2))
	add(floatIn("tts.piper.noise_w", c.TTS.Piper.NoiseW, 0, 2))
	add(intIn("conversation.first_clause_chars", c.Conversation.FirstClauseChars, 0, 200))
	add(c.Conversation.validateUnits())
	add(device("tts.device", c.TTS.Device))
	add(oneOf("tts.flite.voice", c.TTS.Flite.Voice, "slt", "kal16", "rms", "awb"))
	add(intIn("onnx.intra_op_threads", c.ONNX.IntraOpThreads, 0, 256))
	add(intIn("onnx.inter_op_threads", c.ONNX.InterOpThreads, 0, 256))
	add(c.GPU.validate())
	add(c.Turn.validate())
	return errors.Join(errs...)
}

func (v VAD) validate() error {
	return errors.Join(
		oneOf("vad.engine", v.Engine, "auto", "silero", "energy"),
		device("vad.device", v.Device),
		floatIn("vad.threshold", v.Threshold, 0.01, 0.99),
		floatIn("vad.neg_threshold", v.NegThreshold, 0.01, v.Threshold),
		durationIn("vad.min_speech", v.MinSpeech, 0, 5*time.Second),
		durationIn("vad.min_silence", v.MinSilence, 32*time.Millisecond, 10*time.Second),
		durationIn("vad.pre_roll", v.PreRoll, 0, 2*time.Second),
		durationIn("vad.max_utterance", v.MaxUtterance, time.Second, 10*time.Minute),
		floatIn("vad.playback_threshold", v.PlaybackThreshold, v.Threshold, 1),
		floatIn("vad.barge_in_level", v.BargeInLevel, -90, 0),
	)
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
			errs = append(errs, fmt.Errorf("gpu.weights.%s: %w: unknown model; allowed: vad, asr, tts", role, ErrUnknownKey))
			continue
		}
		errs = append(errs, floatIn("gpu.weights."+role, w, 0, 100))
	}
	return errors.Join(errs...)
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

func floatIn(key string, v, lo, hi float64) error {
	if v >= lo && v <= hi {
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

func durationIn(key string, v Duration, lo, hi time.Duration) error {
	if v.Duration >= lo && v.Duration <= hi {
		return nil
	}
	return fmt.Errorf("%s: %w: %s; allowed: %s to %s", key, ErrInvalidValue, v.Duration, lo, hi)
}
