// Package config parses and validates parley's configuration. The documented
// defaults live in config.toml at the repository root (embedded by main); a
// user file overrides them key by key. Every error names the key path and
// the allowed values.
package config

import "time"

// Config is the whole configuration; each field mirrors a TOML table.
type Config struct {
	// Audio selects the audio backend and devices.
	Audio Audio `toml:"audio"`
	// VAD configures voice activity detection and segmentation.
	VAD VAD `toml:"vad"`
	// ASR selects and configures the speech recogniser.
	ASR ASR `toml:"asr"`
	// LLM selects the answer stage.
	LLM LLM `toml:"llm"`
	// TTS selects and configures the speech synthesiser.
	TTS TTS `toml:"tts"`
	// ONNX configures the ONNX Runtime library.
	ONNX ONNX `toml:"onnx"`
	// GPU configures GPU use, the memory budget and fallback.
	GPU GPU `toml:"gpu"`
	// Conversation configures turn taking.
	Conversation Conversation `toml:"conversation"`
	// Turn decides when the user's turn is over, and answers before it is.
	Turn Turn `toml:"turn"`
	// Log configures the conversation log.
	Log Log `toml:"log"`
	// UI configures the terminal interface.
	UI UI `toml:"ui"`
}

// Audio is the [audio] table.
type Audio struct {
	// Backend is "auto" (PulseAudio, then ALSA, then null), "pulseaudio",
	// "alsa", "null" or "web" (the browser page served on WebAddr).
	Backend string `toml:"backend"`
	// WebAddr is the host:port the browser audio page is served on.
	WebAddr string `toml:"web_addr"`
	// InputDevice is a capture device name or id; "" is the default device.
	InputDevice string `toml:"input_device"`
	// OutputDevice is a playback device name or id; "" is the default device.
	OutputDevice string `toml:"output_device"`
	// CaptureBuffer is how much audio the capture buffer holds before it drops.
	CaptureBuffer Duration `toml:"capture_buffer"`
	// AEC cancels parley's own voice from the microphone (speexdsp).
	AEC bool `toml:"aec"`
	// AECTail is the longest echo path the canceller models.
	AECTail Duration `toml:"aec_tail"`
	// AECSuppress adds residual echo suppression after the canceller.
	AECSuppress bool `toml:"aec_suppress"`
	// AECLatency is the expected output-to-input delay beyond one playback
	// period (0 = one period); raise it for Bluetooth or long chains.
	AECLatency Duration `toml:"aec_latency"`
	// Latency is the device period: "auto" (the backend's small default for
	// a local server, 400 ms playback / 200 ms capture for a remote one) or
	// a duration from 5ms to 1s.
	Latency string `toml:"latency"`
}

// VAD is the [vad] table.
type VAD struct {
	// Engine is "auto" (Silero when its model is present, else energy), "silero" or "energy".
	Engine string `toml:"engine"`
	// Model is the Silero VAD v5 ONNX file; "" is $XDG_CACHE_HOME/parley/models/silero_vad_v5.onnx.
	Model string `toml:"model"`
	// Device is where the Silero model runs: "cpu" or "cuda:N".
	Device string `toml:"device"`
	// Threshold is the speech probability at which speech starts.
	Threshold float64 `toml:"threshold"`
	// NegThreshold is the probability under which speech may end.
	NegThreshold float64 `toml:"neg_threshold"`
	// MinSpeech is the shortest utterance kept; shorter blips are ignored.
	MinSpeech Duration `toml:"min_speech"`
	// MinSilence is the hangover: silence needed to end an utterance.
	MinSilence Duration `toml:"min_silence"`
	// PreRoll is audio kept from before the detected start.
	PreRoll Duration `toml:"pre_roll"`
	// MaxUtterance cuts an utterance that runs longer.
	MaxUtterance Duration `toml:"max_utterance"`
	// PlaybackThreshold is the speech probability needed to interrupt
	// parley while it speaks when echo cancellation is off.
	PlaybackThreshold float64 `toml:"playback_threshold"`
	// BargeInLevel is the level in dBFS the user's voice must reach to
	// interrupt parley while it speaks.
	BargeInLevel float64 `toml:"barge_in_level"`
}

// ASR is the [asr] table.
type ASR struct {
	// Engine is "auto" (SenseVoice, then Paraformer, then Whisper, when
	// installed, else pocketsphinx), "sensevoice", "paraformer", "whisper"
	// or "pocketsphinx".
	Engine string `toml:"engine"`
	// BatchSize is how many utterances an ONNX engine decodes at once.
	BatchSize int `toml:"batch_size"`
	// Parallel is how many batches run at the same time.
	Parallel int `toml:"parallel"`
	// MaxChunkSeconds cuts longer utterances at their quietest point.
	MaxChunkSeconds float64 `toml:"max_chunk_seconds"`
	// SenseVoice configures the SenseVoice-small engine.
	SenseVoice SenseVoice `toml:"sensevoice"`
	// Paraformer configures the Paraformer engine.
	Paraformer Paraformer `toml:"paraformer"`
	// Whisper configures the Whisper engine.
	Whisper Whisper `toml:"whisper"`
	// Device is where ONNX ASR models run: "cpu" or "cuda:N".
	Device string `toml:"device"`
	// PartialInterval is how often a partial transcript is produced while
	// the user speaks.
	PartialInterval Duration `toml:"partial_interval"`
	// Pocketsphinx configures the embedded CPU engine.
	Pocketsphinx Pocketsphinx `toml:"pocketsphinx"`
}

// Pocketsphinx is the [asr.pocketsphinx] table.
type Pocketsphinx struct {
	// ModelDir is the acoustic model directory.
	ModelDir string `toml:"model_dir"`
	// Dict is the pronunciation dictionary.
	Dict string `toml:"dict"`
	// LM is the language model.
	LM string `toml:"lm"`
}

// SenseVoice is the [asr.sensevoice] table.
type SenseVoice struct {
	// ModelDir holds model.onnx or model.int8.onnx and tokens.txt; "" uses
	// the installed sensevoice-small model.
	ModelDir string `toml:"model_dir"`
	// Language is auto, zh, en, yue, ja or ko.
	Language string `toml:"language"`
	// ITN turns on inverse text normalisation (numbers, punctuation).
	ITN bool `toml:"itn"`
}

// Paraformer is the [asr.paraformer] table.
type Paraformer struct {
	// ModelDir holds the model, tokens and am.mvn; "" uses an installed
	// paraformer-large model.
	ModelDir string `toml:"model_dir"`
}

// Whisper is the [asr.whisper] table.
type Whisper struct {
	// Model is a catalog name ("whisper-base.en") or a folder holding a
	// sherpa-onnx Whisper export; "" uses an installed Whisper model.
	Model string `toml:"model"`
	// Language is "auto" (detected per utterance; English for .en models)
	// or a language code such as "en" or "de".
	Language string `toml:"language"`
	// Task is "transcribe" or "translate" (into English).
	Task string `toml:"task"`
}

// LLM is the [llm] table.
type LLM struct {
	// Engine is "auto" (the server, with the offline responder while it
	// cannot be reached), "openai" (the server only) or "offline".
	Engine string `toml:"engine"`
	// BaseURL is the OpenAI-compatible endpoint.
	BaseURL string `toml:"base_url"`
	// Model is the model name the server knows.
	Model string `toml:"model"`
	// SystemPrompt sets the assistant's manner.
	SystemPrompt string `toml:"system_prompt"`
	// Temperature is the sampling temperature; negative leaves it to the server.
	Temperature float64 `toml:"temperature"`
	// MaxTokens bounds a reply (0 = the server's default).
	MaxTokens int `toml:"max_tokens"`
	// Timeout bounds the wait for the first token and between tokens.
	Timeout Duration `toml:"timeout"`
	// Retries is how often a failed request is retried before the first token.
	Retries int `toml:"retries"`
	// MaxHistoryChars bounds the conversation sent with each request.
	MaxHistoryChars int `toml:"max_history_chars"`
	// CheckInterval is how often an unreachable server is probed again.
	CheckInterval Duration `toml:"check_interval"`
}

// TTS is the [tts] table.
type TTS struct {
	// Engine is "auto" (Kokoro when installed and Device is a usable GPU,
	// else Piper when a voice is installed, else Kokoro on the CPU when
	// installed, else flite), "kokoro", "piper" or "flite".
	Engine string `toml:"engine"`
	// Device is where ONNX TTS models run: "cpu" or "cuda:N".
	Device string `toml:"device"`
	// Flite configures the embedded CPU engine.
	Flite Flite `toml:"flite"`
	// Piper configures Piper voices.
	Piper Piper `toml:"piper"`
	// Kokoro configures the Kokoro v1.0 model.
	Kokoro Kokoro `toml:"kokoro"`
}

// Kokoro is the [tts.kokoro] table.
type Kokoro struct {
	// Model is a Kokoro .onnx file (its voices file beside it) or a folder
	// holding both; "" uses the installed kokoro-v1.0 (or -int8) model.
	Model string `toml:"model"`
	// Voice is a voice of the voices file, e.g. "af_heart".
	Voice string `toml:"voice"`
	// Speed is the speaking rate, 0.5 (slow) to 2.0 (fast).
	Speed float64 `toml:"speed"`
}

// Piper is the [tts.piper] table.
type Piper struct {
	// Model is a voice .onnx file (with its .onnx.json beside it) or a
	// folder holding one; "" uses the installed lessac-medium voice.
	Model string `toml:"model"`
	// Speaker is a speaker name or id for multi-speaker voices.
	Speaker string `toml:"speaker"`
	// LengthScale slows (>1) or speeds (<1) speech; 0 takes the voice's.
	LengthScale float64 `toml:"length_scale"`
	// NoiseScale and NoiseW vary the voice; 0 takes the voice's.
	NoiseScale float64 `toml:"noise_scale"`
	NoiseW     float64 `toml:"noise_w"`
}

// Flite is the [tts.flite] table.
type Flite struct {
	// Voice is one of slt, kal16, rms, awb.
	Voice string `toml:"voice"`
}

// ONNX is the [onnx] table.
type ONNX struct {
	// Library is the ONNX Runtime shared library; "" searches PARLEY_ORT_LIB,
	// then $XDG_CACHE_HOME/parley/lib/libonnxruntime.so.1.
	Library string `toml:"library"`
	// IntraOpThreads is the threads one CPU run of ASR or TTS may use; 0
	// gives the live conversation every core, and splits them between the
	// parallel runs of batch transcription (see IntraOpFor).
	IntraOpThreads int `toml:"intra_op_threads"`
	// InterOpThreads is the threads across parallel graph branches (0 = ORT's choice).
	InterOpThreads int `toml:"inter_op_threads"`
}

// IntraOpFor returns the intra-op threads of one ONNX run when parallel
// runs share cores CPU cores: IntraOpThreads when set, else the cores
// divided between the runs (at least 1).
func (o ONNX) IntraOpFor(parallel, cores int) int {
	if o.IntraOpThreads > 0 {
		return o.IntraOpThreads
	}
	return max(1, cores/max(1, parallel))
}

// GPU is the [gpu] table.
type GPU struct {
	// Enabled allows models to use a GPU at all.
	Enabled bool `toml:"enabled"`
	// Device is the GPU that device toggles move models to, e.g. "cuda:0".
	Device string `toml:"device"`
	// MemoryFraction is the share of the GPU's memory parley may use.
	MemoryFraction float64 `toml:"memory_fraction"`
	// Interleave routes runs of different models through a priority scheduler.
	Interleave bool `toml:"interleave"`
	// FallbackToCPU retries failed GPU work on the CPU.
	FallbackToCPU bool `toml:"fallback_to_cpu"`
	// MinFreeMiB is free GPU memory that must remain after a model moves in.
	MinFreeMiB int `toml:"min_free_mib"`
	// Weights splits the memory budget between models by role (vad, asr, tts).
	Weights map[string]float64 `toml:"weights"`
}

// Conversation is the [conversation] table.
type Conversation struct {
	// HalfDuplex ignores the microphone while parley speaks (unless
	// barge-in is on).
	HalfDuplex bool `toml:"half_duplex"`
	// BargeIn lets the user interrupt parley by speaking.
	BargeIn bool `toml:"barge_in"`
	// FirstClauseChars lets the first spoken unit end at a clause once it
	// is this long, so the first audio comes early (0 = off).
	FirstClauseChars int `toml:"first_clause_chars"`
	// MaxUnitChars cuts a spoken unit that runs longer (0 = no limit).
	MaxUnitChars int `toml:"max_unit_chars"`
	// CodeNote is said instead of reading a code block aloud.
	CodeNote string `toml:"code_note"`
	// MaxSpokenChars bounds the characters of one reply that are spoken;
	// past it MoreNote is said and the rest is only shown.
	MaxSpokenChars int `toml:"max_spoken_chars"`
	// MoreNote is said when a reply passes MaxSpokenChars.
	MoreNote string `toml:"more_note"`
	// MaxReplyChars bounds the characters of one reply read from the LLM;
	// the rest is not read.
	MaxReplyChars int `toml:"max_reply_chars"`
	// SynthAheadUnits bounds the spoken units synthesised and not yet
	// played in full (the one playing included).
	SynthAheadUnits int `toml:"synth_ahead_units"`
	// SynthAhead bounds the synthesised audio waiting behind the unit playing.
	SynthAhead Duration `toml:"synth_ahead"`
}

// Turn is the [turn] table.
type Turn struct {
	// Detector decides when the user's turn is over: "auto" (smart-turn
	// when its model and ONNX Runtime are there, else text), "text" (the
	// transcript's last word, the level and the VAD) or "smart-turn" (the
	// Smart Turn v3 model).
	Detector string `toml:"detector"`
	// Model is the Smart Turn v3 ONNX file; "" is the one `parley models
	// pull smart-turn-v3` installs.
	Model string `toml:"model"`
	// Device is where the Smart Turn model runs: "cpu" or "cuda:N".
	Device string `toml:"device"`
	// SpeculateAfter is the silence after which parley finalises the
	// transcript and starts the answer, playing nothing until the turn is
	// over; 0 waits for the turn's end.
	SpeculateAfter Duration `toml:"speculate_after"`
	// MinSilence is the silence after which a complete turn is over.
	MinSilence Duration `toml:"min_silence"`
	// MaxSilence is the silence after which any turn is over.
	MaxSilence Duration `toml:"max_silence"`
}

// Log is the [log] table.
type Log struct {
	// Dir holds the conversation log; "" is $XDG_STATE_HOME/parley.
	Dir string `toml:"dir"`
}

// UI is the [ui] table.
type UI struct {
	// Unicode draws bars and sparklines with block characters; false uses ASCII.
	Unicode bool `toml:"unicode"`
	// Keys remaps actions by name to keys.
	Keys map[string][]string `toml:"keys"`
}

// Duration is a time.Duration written as a string such as "300ms".
type Duration struct {
	time.Duration
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := time.ParseDuration(string(text))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(d.String()), nil
}
