package pipeline

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// TurnID identifies one user turn (utterance + answer). A barge-in starts
// a new turn, so events that carry an older TurnID are stale and dropped.
type TurnID uint64

// Kind is the kind of a pipeline event. Its string value is the prefix of
// the event's line in headless output ("heard: ...").
type Kind string

// Event kinds.
const (
	// KindState reports a change of the pipeline State.
	KindState Kind = "state"
	// KindSpeechStart reports that the VAD detected the start of speech.
	KindSpeechStart Kind = "speech"
	// KindPartial carries a partial transcript while the user speaks.
	KindPartial Kind = "partial"
	// KindHeard carries the final transcript of an utterance.
	KindHeard Kind = "heard"
	// KindAnswerDelta carries a piece of the reply as it streams in.
	KindAnswerDelta Kind = "delta"
	// KindAnswer carries the complete reply text.
	KindAnswer Kind = "answer"
	// KindSaid carries text whose audio has been played in full.
	KindSaid Kind = "said"
	// KindInterrupted reports a reply cut short by the user.
	KindInterrupted Kind = "interrupted"
	// KindInfo carries a notice for the user (engine chosen, fallback).
	KindInfo Kind = "info"
	// KindError carries an error message; the pipeline goes on.
	KindError Kind = "error"
	// KindMetrics carries the latency figures of a finished turn.
	KindMetrics Kind = "metrics"
)

// State is what the pipeline is doing.
type State string

// Pipeline states.
const (
	StateListening    State = "listening"
	StateTranscribing State = "transcribing"
	StateAnswering    State = "answering"
	StateSpeaking     State = "speaking"
	StateStopped      State = "stopped"
)

// Event is one thing that happened in the pipeline. Events are written to
// the conversation log before the UI or the headless printer sees them.
type Event struct {
	// Kind says what happened.
	Kind Kind `json:"kind"`
	// Turn is the turn the event belongs to (0 before the first utterance).
	Turn TurnID `json:"turn"`
	// Time is when it happened.
	Time time.Time `json:"time"`
	// Text is the transcript, answer, message or state name.
	Text string `json:"text,omitempty"`
	// State is set on KindState events.
	State State `json:"state,omitempty"`
	// Metrics is set on KindMetrics events.
	Metrics *TurnMetrics `json:"metrics,omitempty"`
	// Fact, on a KindInfo event, names what a start-up notice is about
	// ("gpu", "llm", "engines", "audio"): the UI shows one line per fact,
	// a newer notice about it replacing the line.
	Fact string `json:"fact,omitempty"`
	// Detail is the full text behind a short Text (a loader's error, a
	// server's reply): the log keeps it, the UI shows Text only.
	Detail string `json:"detail,omitempty"`
}

// TurnMetrics holds the latencies of one turn in milliseconds. Zero means
// "not measured" (for example no audio was played).
type TurnMetrics struct {
	// SpeechMS is the length of the user's utterance.
	SpeechMS float64 `json:"speech_ms"`
	// ASRFinal is end of speech to final transcript.
	ASRFinal float64 `json:"asr_final"`
	// LLMFirstToken is transcript to first reply text.
	LLMFirstToken float64 `json:"llm_first_token"`
	// FirstUnit is transcript to the first complete speakable unit.
	FirstUnit float64 `json:"first_unit"`
	// TTSFirstAudio is the synthesis time of the first unit.
	TTSFirstAudio float64 `json:"tts_first_audio"`
	// PlaybackStart is synthesised audio handed to the player to its first sample played.
	PlaybackStart float64 `json:"playback_start"`
	// VoiceToVoice is end of user speech (the VAD's) to the first
	// non-silent sample handed to the audio device.
	VoiceToVoice float64 `json:"voice_to_voice"`
	// TTSRTF is synthesis time divided by audio duration.
	TTSRTF float64 `json:"tts_rtf"`
	// DeviceLatency is what the audio device adds after VoiceToVoice
	// before the user hears the first sample, as the device reports it.
	DeviceLatency float64 `json:"device_latency,omitempty"`
	// TurnDecision is end of user speech to the turn detector's decision
	// that the turn is over.
	TurnDecision float64 `json:"turn_decision,omitempty"`
	// TurnReason is why the detector ended the turn.
	TurnReason string `json:"turn_reason,omitempty"`
	// SpecStarted, SpecUsed and SpecCancelled count the answers started
	// at a pause of this turn, the one played, and those dropped because
	// the user went on.
	SpecStarted   int `json:"spec_started,omitempty"`
	SpecUsed      int `json:"spec_used,omitempty"`
	SpecCancelled int `json:"spec_cancelled,omitempty"`
	// Interrupted is true when the user cut the reply short.
	Interrupted bool `json:"interrupted"`
}

// Line formats the event as one headless output line, "kind: text", or
// returns "" for events that headless output does not print. The line is
// one line of valid UTF-8 whatever the text holds (see OneLine).
func (e Event) Line() string {
	switch e.Kind {
	case KindAnswerDelta, KindState, KindSpeechStart:
		return ""
	case KindMetrics:
		if e.Metrics == nil {
			return ""
		}
		return fmt.Sprintf("metrics: asr_final=%.0fms llm_first_token=%.0fms first_unit=%.0fms tts_first_audio=%.0fms playback_start=%.0fms voice_to_voice=%.0fms tts_rtf=%.2f interrupted=%t",
			e.Metrics.ASRFinal, e.Metrics.LLMFirstToken, e.Metrics.FirstUnit, e.Metrics.TTSFirstAudio,
			e.Metrics.PlaybackStart, e.Metrics.VoiceToVoice, e.Metrics.TTSRTF, e.Metrics.Interrupted) + e.Metrics.turnLine()
	}
	return string(e.Kind) + ": " + OneLine(e.Text)
}

// OneLine makes text fit on one line of valid UTF-8, reversibly: a
// backslash becomes \\, a line feed \n, a carriage return \r, every other
// control character (tab excepted) and the Unicode line and paragraph
// separators \uXXXX; invalid UTF-8 becomes U+FFFD.
func OneLine(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range strings.ToValidUTF8(text, "\uFFFD") {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t' || (!unicode.IsControl(r) && r != '\u2028' && r != '\u2029'):
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, `\u%04X`, r)
		}
	}
	return b.String()
}
