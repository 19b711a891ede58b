package audio

import (
	"fmt"
	"time"
)

// SegmenterOptions tune utterance detection. The defaults
// (DefaultSegmenterOptions) follow Silero's get_speech_timestamps where it
// suits a live assistant and depart where latency matters:
//
//   - Threshold 0.5, NegThreshold 0.35 (Silero: threshold - 0.15).
//   - MinSpeech 250 ms (Silero): coughs, clicks and single syllables are
//     cancelled.
//   - MinSilence 300 ms: the hangover adds directly to the time from the end
//     of speech to the reply, so it is short; Silero's 100 ms splits
//     sentences at commas, sherpa-onnx's 500 ms feels sluggish. Raise it for
//     slow speakers.
//   - PreRoll 300 ms: Silero's onset lags a frame or two and ASR needs the
//     first consonant; Silero pads only 30 ms because it cuts files offline.
//   - MaxUtterance 20 s (sherpa-onnx): bounds memory and ASR latency; a
//     longer monologue is split.
//   - PauseAfter 0: no early pause events. A live conversation that decides
//     the end of a turn itself (package pipeline/turn) sets it well below
//     MinSilence, which then is only the longest wait.
type SegmenterOptions struct {
	// Threshold is the probability at or above which a frame is speech.
	Threshold float32
	// NegThreshold is the probability below which a frame is silence.
	NegThreshold float32
	// MinSpeech is the shortest speech that is not cancelled.
	MinSpeech time.Duration
	// MinSilence is how much silence ends an utterance (the hangover).
	MinSilence time.Duration
	// PreRoll is how much audio before the threshold crossing an utterance
	// includes.
	PreRoll time.Duration
	// MaxUtterance is the longest utterance, pre-roll included.
	MaxUtterance time.Duration
	// PauseAfter, when > 0, is the trailing silence after which a pause is
	// reported (SpeechPause) before MinSilence ends the utterance; it must
	// be shorter than MinSilence.
	PauseAfter time.Duration
}

// DefaultSegmenterOptions returns the documented defaults.
func DefaultSegmenterOptions() SegmenterOptions {
	return SegmenterOptions{
		Threshold:    0.5,
		NegThreshold: 0.35,
		MinSpeech:    250 * time.Millisecond,
		MinSilence:   300 * time.Millisecond,
		PreRoll:      300 * time.Millisecond,
		MaxUtterance: 20 * time.Second,
	}
}

// Validate reports the first option outside its range, naming it.
func (o SegmenterOptions) Validate() error {
	switch {
	case o.Threshold <= 0 || o.Threshold > 1:
		return optErr("Threshold", o.Threshold, "in (0, 1]")
	case o.NegThreshold < 0 || o.NegThreshold > o.Threshold:
		return optErr("NegThreshold", o.NegThreshold, "in [0, Threshold]")
	case o.MinSpeech < 0:
		return optErr("MinSpeech", o.MinSpeech, ">= 0")
	case o.MinSilence <= 0:
		return optErr("MinSilence", o.MinSilence, "> 0")
	case o.PreRoll < 0:
		return optErr("PreRoll", o.PreRoll, ">= 0")
	case o.MaxUtterance <= o.PreRoll+o.MinSpeech:
		return optErr("MaxUtterance", o.MaxUtterance, "> PreRoll + MinSpeech")
	case o.PauseAfter < 0 || (o.PauseAfter > 0 && o.PauseAfter >= o.MinSilence):
		return optErr("PauseAfter", o.PauseAfter, "0 (off) or in (0, MinSilence)")
	}
	return nil
}

func optErr(name string, v any, want string) error {
	return fmt.Errorf("segmenter option %s = %v, want %s: %w", name, v, want, ErrInvalidOptions)
}
