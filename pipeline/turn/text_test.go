package turn

import (
	"context"
	"math"
	"testing"
	"time"
)

func TestOpenEnding(t *testing.T) {
	tests := []struct {
		name, text string
		open       bool
	}{
		{"empty", "", false},
		{"complete", "what time is it", false},
		{"preposition", "please remind me to", true},
		{"article", "turn on the", true},
		{"conjunction", "buy milk and", true},
		{"auxiliary", "what is the weather going to be and can", true},
		{"filler", "call my sister um", true},
		{"determiner", "send it to my", true},
		{"capitals", "Remind me TO", true},
		{"comma", "remind me, then", false},
		{"trailing comma", "remind me,", true},
		{"ellipsis", "so I was thinking…", true},
		{"three dots", "so I was thinking...", true},
		{"question mark wins", "what are you up to?", false},
		{"full stop wins", "I have nothing to add to.", false},
		{"apostrophe", "that's what I'd", false},
		{"unicode letters", "café au", false},
		{"chinese full stop", "你好。", false},
		{"word after quote", "he said \"the", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reason, open := OpenEnding(tt.text)
			if open != tt.open {
				t.Errorf("OpenEnding(%q) = %v (%q), want %v", tt.text, open, reason, tt.open)
			}
			if open && reason == "" {
				t.Errorf("OpenEnding(%q) gives no reason", tt.text)
			}
		})
	}
}

// speechThen returns speech of the given length at level dB (a steady
// tone, falling by fall dB over its last 200 ms), then silence.
func speechThen(speech, silence time.Duration, level, fall float64) []float32 {
	n, tail := samplesOf(speech), samplesOf(200*time.Millisecond)
	out := make([]float32, n+samplesOf(silence))
	for i := range n {
		db := level
		if i >= n-tail {
			db -= fall * float64(i-(n-tail)) / float64(tail)
		}
		amp := math.Pow(10, db/20) * math.Sqrt2
		out[i] = float32(amp * math.Sin(2*math.Pi*220*float64(i)/SampleRate))
	}
	return out
}

func probs(speechFrames, silenceFrames int, silenceProb float32) []float32 {
	out := make([]float32, 0, speechFrames+silenceFrames)
	for range speechFrames {
		out = append(out, 0.95)
	}
	for range silenceFrames {
		out = append(out, silenceProb)
	}
	return out
}

func TestTextDecide(t *testing.T) {
	opts := DefaultOptions()
	extra := (opts.MaxSilence - opts.MinSilence) / 4
	ms := time.Millisecond
	falling := speechThen(time.Second, 160*ms, -20, 20)
	flat := speechThen(time.Second, 160*ms, -20, 0)
	tests := []struct {
		name    string
		in      Input
		verdict Verdict
		after   time.Duration
	}{
		{"complete, falling, early", Input{Transcript: "what time is it", Audio: falling, Probs: probs(31, 5, 0.02), Silence: 160 * ms}, Wait, opts.MinSilence},
		{"complete at min silence", Input{Transcript: "what time is it", Audio: speechThen(time.Second, opts.MinSilence, -20, 20), Probs: probs(31, 8, 0.02), Silence: opts.MinSilence}, Confirm, 0},
		{"open ending", Input{Transcript: "please remind me to", Audio: falling, Probs: probs(31, 5, 0.02), Silence: 160 * ms}, NotYet, opts.MaxSilence},
		{"open ending past min", Input{Transcript: "please remind me to", Audio: speechThen(time.Second, 700*ms, -20, 20), Probs: probs(31, 20, 0.02), Silence: 700 * ms}, NotYet, opts.MaxSilence},
		{"nothing recognised", Input{Audio: falling, Probs: probs(31, 5, 0.02), Silence: 160 * ms}, Wait, opts.MinSilence},
		{"vad hovers, level held", Input{Transcript: "what time is it", Audio: flat, Probs: probs(31, 5, 0.4), Silence: 160 * ms}, Wait, opts.MinSilence + extra},
		{"vad hovers, level fell", Input{Transcript: "what time is it", Audio: falling, Probs: probs(31, 5, 0.4), Silence: 160 * ms}, Wait, opts.MinSilence},
		{"speech before the silence does not count as hovering", Input{Transcript: "what time is it", Audio: flat, Probs: probs(31, 5, 0.02), Silence: 160 * ms}, Wait, opts.MinSilence},
		{"level held, no hovering", Input{Transcript: "what time is it", Audio: flat, Probs: probs(31, 5, 0.02), Silence: 160 * ms}, Wait, opts.MinSilence},
		{"cue, waited long enough", Input{Transcript: "what time is it", Audio: speechThen(time.Second, opts.MinSilence+extra, -20, 0), Probs: probs(31, 15, 0.4), Silence: opts.MinSilence + extra}, Confirm, 0},
		{"too short to tell the level", Input{Transcript: "hi", Audio: speechThen(100*ms, 160*ms, -20, 20), Probs: probs(3, 5, 0.4), Silence: 160 * ms}, Wait, opts.MinSilence + extra},
	}
	d, err := NewText(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := d.Decide(context.Background(), tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Verdict != tt.verdict || got.After != tt.after || got.Reason == "" {
				t.Errorf("Decide = %+v, want %s after %s with a reason", got, tt.verdict, tt.after)
			}
		})
	}
}

func TestDecisionOver(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		d       Decision
		silence time.Duration
		over    bool
	}{
		{Decision{Verdict: Confirm}, 0, true},
		{Decision{Verdict: Wait, After: 250 * ms}, 224 * ms, false},
		{Decision{Verdict: Wait, After: 250 * ms}, 256 * ms, true},
		{Decision{Verdict: NotYet, After: 1200 * ms}, 900 * ms, false},
		{Decision{Verdict: NotYet, After: 1200 * ms}, 1216 * ms, true},
	}
	for _, tt := range tests {
		if got := tt.d.Over(tt.silence); got != tt.over {
			t.Errorf("%+v.Over(%s) = %v, want %v", tt.d, tt.silence, got, tt.over)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	bad := []Options{{}, {MinSilence: time.Second, MaxSilence: time.Millisecond}, {MinSilence: -1, MaxSilence: time.Second}}
	for _, o := range bad {
		if _, err := NewText(o); err == nil {
			t.Errorf("NewText(%+v) accepted", o)
		}
	}
}
