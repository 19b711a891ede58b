package asr_test

import (
	"context"
	"testing"
	"time"

	"parley/pipeline/asr"
	"parley/pipeline/tts"
)

// roundTripSentences are things people say to an assistant.
func roundTripSentences() []string {
	return []string{
		"what time is it",
		"tell me the date",
		"what can you do",
		"open the door please",
		"the weather is nice today",
		"thank you very much",
		"turn on the lights in the kitchen",
		"set a timer for ten minutes",
		"play some music",
		"how are you today",
		"what is your name",
		"call my mother tomorrow morning",
		"please stop the music",
		"what is the weather like tomorrow",
		"remind me to buy milk",
		"how long will it take to get home",
		"send a message to john",
		"good morning",
		"read me the news",
		"turn off the radio",
	}
}

// TestFliteToPocketsphinx speaks sentences with flite and recognises them
// with pocketsphinx in 100 ms chunks, as the pipeline feeds a live stream.
func TestFliteToPocketsphinx(t *testing.T) {
	for _, voice := range []string{"slt", "kal16"} {
		t.Run(voice, func(t *testing.T) {
			roundTrip(t, voice)
		})
	}
}

func roundTrip(t *testing.T, voice string) {
	ctx := context.Background()
	f, err := tts.NewFlite(ctx, tts.FliteOptions{Voice: voice})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := newDecoder(t)
	var edits, words int
	var audio float64
	var took time.Duration
	for _, ref := range roundTripSentences() {
		a, err := f.Synthesize(ctx, ref)
		if err != nil {
			t.Fatalf("Synthesize(%q): %v", ref, err)
		}
		d := decodeChunks(t, p, resample(a.Samples, a.SampleRate, 16000), 1600)
		if d.partials == 0 {
			t.Errorf("%q: Partial never returned text", ref)
		}
		e, n := asr.WordErrors(ref, d.text)
		if e > 0 {
			t.Logf("%q heard as %q", ref, d.text)
		}
		edits, words, audio, took = edits+e, words+n, audio+d.audio, took+d.elapsed
	}
	wer := float64(edits) / float64(words)
	t.Logf("flite/%s -> pocketsphinx: %d sentences, %.1f s, WER %.1f%% (%d/%d), RTF %.3f",
		voice, len(roundTripSentences()), audio, 100*wer, edits, words, took.Seconds()/audio)
	if wer > 0.10 {
		t.Errorf("WER %.1f%%, want <= 10%%", 100*wer)
	}
}
