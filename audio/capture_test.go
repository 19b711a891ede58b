package audio

import (
	"context"
	"errors"
	"os/exec"
	"testing"
	"time"

	"parley/audio/internal/audiotest"
	"parley/internal/testenv"
)

// TestMicCapturesSpeech plays flite speech into the virtual microphone and
// checks that what the Mic reads has its energy where the speech is.
func TestMicCapturesSpeech(t *testing.T) {
	testenv.Pulse(t)
	paplay := testenv.Command(t, "paplay")
	wav := fliteWAV(t, "hello there, how are you today")
	src, err := ReadMono16k(wav)
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	mic, err := OpenMic(ctx, MicOptions{Device: "virtmic"})
	if err != nil {
		t.Fatal(err)
	}
	defer mic.Close()
	micQuiet(t, ctx, mic)
	got, peak := captureWhile(t, ctx, mic, exec.Command(paplay, "-d", "mic_feed", wav))
	t.Logf("captured %.2f s, %d-frame callbacks, peak level %.3f, dropped %d",
		float64(len(got))/SampleRate, mic.CallbackFrames(), peak, mic.Dropped())
	if mic.Dropped() != 0 {
		t.Errorf("dropped %d samples", mic.Dropped())
	}
	if peak.RMS < 0.01 {
		t.Errorf("Level never rose above %.4f RMS during speech", peak.RMS)
	}
	if lead := RMS(got[:SampleRate/10]); lead > 0.001 {
		t.Errorf("first 100 ms (before paplay) has RMS %.4f, want silence", lead)
	}
	c, lag := audiotest.BestCorrelation(envelope(src), envelope(got))
	t.Logf("speech envelope correlation %.3f at %d ms", c, lag*FrameSize*1000/SampleRate)
	if c < 0.85 {
		t.Errorf("captured envelope correlates %.3f with the speech, want >= 0.85", c)
	}
}

// micQuiet reads until the microphone has been silent for quietRun (the
// null-sink monitor behind virtmic may first replay earlier audio).
func micQuiet(t *testing.T, ctx context.Context, mic *Mic) {
	t.Helper()
	var buf []float32
	p := make([]float32, FrameSize)
	deadline := time.Now().Add(5 * time.Second)
	for trailingQuiet(buf) < samplesOf(quietRun) {
		if time.Now().After(deadline) {
			t.Fatalf("virtmic not quiet for %v within 5 s", quietRun)
		}
		n, err := mic.Read(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		buf = append(buf, p[:n]...)
	}
}

// captureWhile reads mic from 200 ms before cmd starts until 300 ms after it
// ends, returning the samples and the loudest Level seen.
func captureWhile(t *testing.T, ctx context.Context, mic *Mic, cmd *exec.Cmd) ([]float32, Level) {
	t.Helper()
	var got []float32
	var peak Level
	p := make([]float32, FrameSize)
	read := func(until time.Time) {
		for time.Now().Before(until) {
			n, err := mic.Read(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, p[:n]...)
			if l := mic.Level(); l.RMS > peak.RMS {
				peak = l
			}
		}
	}
	read(time.Now().Add(200 * time.Millisecond))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%s: %v", cmd.Path, err)
			}
			read(time.Now().Add(300 * time.Millisecond))
			return got, peak
		default:
			read(time.Now().Add(50 * time.Millisecond))
		}
	}
}

func TestMicReadCancelAndClose(t *testing.T) {
	mic, err := OpenMic(context.Background(), MicOptions{Backend: "null"})
	if err != nil {
		t.Fatal(err)
	}
	if mic.Backend() != "null" {
		t.Fatalf("backend %q", mic.Backend())
	}
	p := make([]float32, FrameSize)
	if _, err := mic.Read(testCtx(t), p); err != nil { // the null device delivers silence
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := firstReadErr(ctx, mic, p); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want Canceled", err)
	}
	go func() { time.Sleep(20 * time.Millisecond); mic.Close() }()
	if err := firstReadErr(context.Background(), mic, p); !errors.Is(err, ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
	if err := mic.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
