// Package turn decides when the user's turn is over. The pipeline asks a
// Detector at a pause (a short silence, before the segmenter's own end of
// speech) and again as the silence grows; the Decision says whether the
// turn is over now, after how much silence it will be, or that the user
// is not done yet. Two detectors implement it: Text, from the transcript's
// last word and the audio's level and speech probabilities, and SmartTurn,
// the Smart Turn v3 audio model.
package turn

import (
	"context"
	"fmt"
	"time"
)

// SampleRate is the rate of Input.Audio in Hz.
const SampleRate = 16000

// FrameSize is the number of samples behind each value of Input.Probs
// (32 ms, the VAD's frame).
const FrameSize = 512

// Input is what a detector sees at a pause.
type Input struct {
	// Transcript is the final transcript of the utterance so far ("" when
	// nothing was recognised).
	Transcript string
	// Audio is the utterance so far (pre-roll, speech and the silence
	// since), 16 kHz mono in [-1, 1]; a detector reads as much of its end as
	// it needs.
	Audio []float32
	// Probs holds the VAD's speech probability of each FrameSize frame of
	// Audio's end, oldest first (it may cover less than Audio).
	Probs []float32
	// Silence is how long the user has been silent so far.
	Silence time.Duration
}

// Verdict is what a detector concluded.
type Verdict int

// Verdicts.
const (
	// Confirm means the turn is over now.
	Confirm Verdict = iota + 1
	// Wait means the turn is over once the silence reaches Decision.After.
	Wait
	// NotYet means the user is not done: only Options.MaxSilence of silence
	// ends the turn.
	NotYet
)

// String returns the verdict's name.
func (v Verdict) String() string {
	switch v {
	case Confirm:
		return "confirm"
	case Wait:
		return "wait"
	case NotYet:
		return "not yet"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// Decision is a detector's answer.
type Decision struct {
	// Verdict is the conclusion.
	Verdict Verdict
	// After is the silence at which the turn is over: 0 for Confirm, the
	// wait for Wait, MaxSilence for NotYet.
	After time.Duration
	// Reason says why, for the log and doctor, e.g. `ends on "to"`.
	Reason string
}

// Over reports whether the turn is over after silence.
func (d Decision) Over(silence time.Duration) bool {
	return d.Verdict == Confirm || silence >= d.After
}

// Detector decides whether the user's turn is over.
type Detector interface {
	// Name names the detector for doctor and the log: "text" or "smart-turn".
	Name() string
	// Decide looks at the utterance at a pause. It may be called again for
	// the same pause as the silence grows; it must be cheap, or say so
	// through Once.
	Decide(ctx context.Context, in Input) (Decision, error)
	// Once reports whether one call per pause is enough (the decision does
	// not change as the silence grows) and worth it (the call is costly).
	Once() bool
}

// Options bound every detector's decisions.
type Options struct {
	// MinSilence is the least silence after which a complete turn is over
	// (turn.min_silence).
	MinSilence time.Duration
	// MaxSilence is the silence after which any turn is over
	// (turn.max_silence).
	MaxSilence time.Duration
}

// DefaultOptions returns the documented defaults: 250 ms and 1.2 s.
func DefaultOptions() Options {
	return Options{MinSilence: 250 * time.Millisecond, MaxSilence: 1200 * time.Millisecond}
}

// Validate reports an option outside its range, naming it.
func (o Options) Validate() error {
	if o.MinSilence <= 0 || o.MaxSilence < o.MinSilence {
		return fmt.Errorf("turn options: min silence %s, max silence %s (want 0 < min <= max): %w",
			o.MinSilence, o.MaxSilence, ErrInvalidOptions)
	}
	return nil
}

// wait returns a decision that ends the turn at silence after, clamped to
// [MinSilence, MaxSilence]; Confirm when silence has already reached it.
func (o Options) wait(after, silence time.Duration, reason string) Decision {
	after = min(max(after, o.MinSilence), o.MaxSilence)
	if silence >= after {
		return Decision{Verdict: Confirm, Reason: reason}
	}
	return Decision{Verdict: Wait, After: after, Reason: reason}
}

// notYet returns a decision that leaves the end to MaxSilence.
func (o Options) notYet(reason string) Decision {
	return Decision{Verdict: NotYet, After: o.MaxSilence, Reason: reason}
}
