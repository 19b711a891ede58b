package tts_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"parley/pipeline/tts"
)

func newFlite(t testing.TB, voice string) *tts.Flite {
	t.Helper()
	f, err := tts.NewFlite(context.Background(), tts.FliteOptions{Voice: voice})
	if err != nil {
		t.Fatalf("NewFlite(%q): %v", voice, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestFliteVoices(t *testing.T) {
	for _, voice := range tts.FliteVoices() {
		t.Run(voice, func(t *testing.T) {
			f := newFlite(t, voice)
			if f.Name() != "flite/"+voice || f.Device() != "cpu" {
				t.Errorf("Name, Device = %q, %q", f.Name(), f.Device())
			}
			a, err := f.Synthesize(context.Background(), "Hello, what time is it?")
			if err != nil {
				t.Fatal(err)
			}
			checkSpeech(t, a)
		})
	}
}

// checkSpeech checks that a holds about a second or more of sound in range.
func checkSpeech(t *testing.T, a tts.Audio) {
	t.Helper()
	if a.SampleRate != 16000 {
		t.Errorf("SampleRate = %d, want 16000", a.SampleRate)
	}
	if a.Seconds() < 0.8 || a.Seconds() > 5 {
		t.Errorf("%.2f s of audio for a short sentence", a.Seconds())
	}
	var peak float32
	for _, s := range a.Samples {
		peak = max(peak, s, -s)
	}
	if peak < 0.05 || peak > 1 {
		t.Errorf("peak %.3f, want audible and within [-1, 1]", peak)
	}
}

func TestFliteDefaultVoice(t *testing.T) {
	f, err := tts.NewFlite(context.Background(), tts.FliteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Name() != "flite/slt" {
		t.Errorf("Name = %q, want flite/slt", f.Name())
	}
}

func TestFliteUnknownVoice(t *testing.T) {
	_, err := tts.NewFlite(context.Background(), tts.FliteOptions{Voice: "hal9000"})
	if !errors.Is(err, tts.ErrUnknownVoice) {
		t.Fatalf("err = %v, want ErrUnknownVoice", err)
	}
	for _, want := range append([]string{"tts.flite.voice", "hal9000"}, tts.FliteVoices()...) {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}

func TestFliteBlankText(t *testing.T) {
	f := newFlite(t, "slt")
	for _, text := range []string{"", "  \n\t"} {
		a, err := f.Synthesize(context.Background(), text)
		if err != nil || len(a.Samples) != 0 {
			t.Errorf("Synthesize(%q) = %d samples, %v; want none, no error", text, len(a.Samples), err)
		}
	}
}

func TestFliteDeterministic(t *testing.T) {
	f := newFlite(t, "slt")
	ctx := context.Background()
	a, err := f.Synthesize(ctx, "the weather is nice today")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Synthesize(ctx, "something else in between"); err != nil {
		t.Fatal(err)
	}
	b, err := f.Synthesize(ctx, "the weather is nice today")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Samples, b.Samples) {
		t.Error("the same text gave different audio")
	}
}

func TestFliteCancelledAndClosed(t *testing.T) {
	f := newFlite(t, "slt")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Synthesize(ctx, "hello"); !errors.Is(err, context.Canceled) {
		t.Errorf("Synthesize on a cancelled ctx: %v, want context.Canceled", err)
	}
	if _, err := tts.NewFlite(ctx, tts.FliteOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("NewFlite on a cancelled ctx: %v, want context.Canceled", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := f.Synthesize(context.Background(), "hello"); !errors.Is(err, tts.ErrClosed) {
		t.Errorf("Synthesize after Close: %v, want ErrClosed", err)
	}
}

// TestFliteShared runs engines that share one flite voice from several
// goroutines while others open and close the same voice: the C voice is
// freed only after its last engine closes.
func TestFliteShared(t *testing.T) {
	ctx := context.Background()
	keep := newFlite(t, "slt")
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for range 3 {
				f, err := tts.NewFlite(ctx, tts.FliteOptions{Voice: tts.FliteVoices()[i]})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := f.Synthesize(ctx, "open the door please"); err != nil {
					t.Error(err)
				}
				f.Close()
			}
		})
		wg.Go(func() {
			if _, err := keep.Synthesize(ctx, "thank you very much"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	a, err := keep.Synthesize(ctx, "still here")
	if err != nil || len(a.Samples) == 0 {
		t.Errorf("shared voice after other engines closed: %d samples, %v", len(a.Samples), err)
	}
}

// TestFliteQuiet synthesises in a child process and checks that flite
// wrote nothing to stdout or stderr.
func TestFliteQuiet(t *testing.T) {
	if os.Getenv("PARLEY_TTS_QUIET_CHILD") == "1" {
		quietChild(t)
		return
	}
	stdout, stderr := tts.RunChildTest(t, "TestFliteQuiet", "PARLEY_TTS_QUIET_CHILD")
	if stderr != "" || strings.TrimSpace(stdout) != "PASS" {
		t.Errorf("flite printed:\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
}

func quietChild(t *testing.T) {
	texts := []string{"Hello there.", "It's 3:09 PM on 14/03/2025, 42% done!", "ñ ü 😀 \x01 <xml> &amp;", "..."}
	for _, voice := range tts.FliteVoices() {
		f := newFlite(t, voice)
		for _, text := range texts {
			if _, err := f.Synthesize(context.Background(), text); err != nil {
				t.Errorf("%s %q: %v", voice, text, err)
			}
		}
	}
}

func BenchmarkFlite(b *testing.B) {
	for _, voice := range []string{"slt", "kal16"} {
		b.Run(voice, func(b *testing.B) {
			f := newFlite(b, voice)
			ctx := context.Background()
			var audio float64
			for b.Loop() {
				a, err := f.Synthesize(ctx, "The weather is nice today, so let's go for a walk in the park.")
				if err != nil {
					b.Fatal(err)
				}
				audio += a.Seconds()
			}
			b.ReportMetric(b.Elapsed().Seconds()/audio, "rtf")
		})
	}
}
