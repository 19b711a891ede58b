package echo

import (
	"context"
	"math"
	"os/exec"
	"strings"
	"testing"
	"time"

	"parley/audio"
	"parley/audio/internal/audiotest"
	"parley/internal/testenv"
)

// echoLoop routes the virtual speaker back into the virtual microphone
// through PulseAudio, 60 ms late: the room of the device tests. It returns
// when the loop is in place and unloads it when the test ends.
func echoLoop(t *testing.T) {
	t.Helper()
	pactl := testenv.Command(t, "pactl")
	out, err := exec.Command(pactl, "load-module", "module-loopback",
		"source=spk.monitor", "sink=mic_feed", "latency_msec=60").Output()
	if err != nil {
		t.Fatalf("load loopback: %v", err)
	}
	id := strings.TrimSpace(string(out))
	t.Cleanup(func() {
		if err := exec.Command(pactl, "unload-module", id).Run(); err != nil {
			t.Errorf("unload loopback %s: %v", id, err)
		}
	})
}

// echoRecording is what an EchoCancelledSource saw, frame by frame.
type echoRecording struct {
	raw, ref, out []float32
}

// openEchoChain opens the speaker with a reference tap and the microphone
// behind a canceller, and starts reading; stop ends the reading and returns
// everything read.
func openEchoChain(t *testing.T, ctx context.Context, rate int) (*audio.Speaker, *EchoCancelledSource, func() echoRecording) {
	t.Helper()
	ref := NewEchoReference(EchoReferenceOptions{})
	sp, err := audio.OpenSpeaker(ctx, audio.SpeakerOptions{Device: "spk", EchoReference: ref, SampleRate: rate})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sp.Close() })
	mic, err := audio.OpenMic(ctx, audio.MicOptions{Device: "virtmic"})
	if err != nil {
		t.Fatal(err)
	}
	aec, err := NewEchoCanceller(EchoOptions{ResidualSuppression: true})
	if err != nil {
		t.Fatal(err)
	}
	src, err := NewEchoCancelledSource(mic, ref, aec)
	if err != nil {
		t.Fatal(err)
	}
	var rec echoRecording
	last := int64(math.MinInt64)
	src.tap = func(c, r, o []float32) {
		if off := src.ref.offset; off != last && src.ref.synced {
			t.Logf("at %.2f s: offset %d (histEnd %d, capture %d)", float64(len(rec.raw))/audio.SampleRate, off, src.ref.histEnd, src.inIndex)
			last = off
		}
		rec.raw, rec.ref, rec.out = append(rec.raw, c...), append(rec.ref, r...), append(rec.out, o...)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		p := make([]float32, 400)
		for {
			if _, err := src.Read(ctx, p); err != nil {
				return
			}
		}
	}()
	return sp, src, func() echoRecording {
		_ = src.Close()
		<-done
		return rec
	}
}

// TestEchoCancelledSourceOnDevices plays speech through the virtual speaker,
// which a PulseAudio loopback feeds back into the virtual microphone 60 ms
// late, while a second voice talks into the microphone: the echo must drop
// by 10 dB or more and the second voice must stand out of what remains.
func TestEchoCancelledSourceOnDevices(t *testing.T) {
	testenv.Pulse(t)
	paplay := testenv.Command(t, "paplay")
	echoLoop(t)
	far := fliteVoice(t, "slt", farText)
	nearWAV := fliteFile(t, "kal16", nearText)
	near := fliteVoice(t, "kal16", nearText)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sp, src, stop := openEchoChain(t, ctx, echoSpeakerRate)
	waitFlowing(t, src)
	if _, err := sp.Play(ctx, far, audio.SampleRate); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * time.Second)
	nearFrom := int(src.Stats().Frames) * DefaultEchoFrame
	if out, err := exec.CommandContext(ctx, paplay, "-d", "mic_feed", nearWAV).CombinedOutput(); err != nil {
		t.Fatalf("paplay: %v: %s", err, out)
	}
	if err := sp.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	rec := stop()
	st := src.Stats()
	t.Logf("stats: %+v (offset %d); %.2f s read", st, src.ref.stats.offset.Load(), float64(len(rec.raw))/audio.SampleRate)
	checkEchoRecording(t, rec, near, nearFrom)
}

// echoSpeakerRate is the playback rate of the device test: a desktop's
// usual 48 kHz, so the reference goes through the resampler as it would
// there (the virtual sink itself runs at 16 kHz).
const echoSpeakerRate = 48000

// waitFlowing waits until the source has delivered 0.5 s, and 0.3 s more:
// a fresh PulseAudio first delivers in bursts, and its monitors may replay
// old audio.
func waitFlowing(t *testing.T, src *EchoCancelledSource) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for src.Stats().Frames < 50 {
		if time.Now().After(deadline) {
			t.Fatal("the microphone delivered less than 0.5 s in 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
}

// checkEchoRecording finds the echo and the near-end voice in rec and
// checks how much the canceller removed and kept.
func checkEchoRecording(t *testing.T, rec echoRecording, near []float32, nearFrom int) {
	t.Helper()
	start, _ := activeSpan(rec.ref, 0.01)
	t.Logf("near-end voice started at sample %d (%d long)", nearFrom, len(near))
	if start < 0 || nearFrom+len(near) > len(rec.raw) {
		t.Fatalf("reference from %d, near-end voice from %d of %d samples", start, nearFrom, len(rec.raw))
	}
	c, lag := audiotest.BestCorrelation(envelope(near), envelope(rec.raw[nearFrom:min(len(rec.raw), nearFrom+len(near)+audio.SampleRate)]))
	nearAt := nearFrom + lag*audio.FrameSize
	delay, dc := echoDelay(rec.ref[start:start+2*audio.SampleRate], rec.raw[start:start+2*audio.SampleRate])
	t.Logf("reference starts at %.2f s; echo %v after its aligned reference (correlation %.2f); near-end voice at %.2f s (envelope correlation %.2f)",
		float64(start)/audio.SampleRate, delay, dc, float64(nearAt)/audio.SampleRate, c)
	echoFrom, echoTo := start+2*audio.SampleRate, nearAt-audio.SampleRate/10
	if echoTo-echoFrom < audio.SampleRate {
		t.Fatalf("echo-only span %d..%d too short", echoFrom, echoTo)
	}
	erle := 10 * math.Log10(energy(rec.raw[echoFrom:echoTo])/energy(rec.out[echoFrom:echoTo]))
	t.Logf("ERLE %.1f dB over %.2f s of echo only (after 2 s of convergence)", erle, float64(echoTo-echoFrom)/audio.SampleRate)
	if erle < 10 {
		t.Errorf("ERLE %.1f dB, want >= 10", erle)
	}
	nearTo := min(nearAt+len(near), len(rec.out))
	residual := energy(rec.out[echoFrom:echoTo]) / float64(echoTo-echoFrom)
	voice := energy(rec.out[nearAt:nearTo]) / float64(nearTo-nearAt)
	rawRatio := energy(rec.raw[nearAt:nearTo]) / energy(rec.raw[echoFrom:echoTo]) * float64(echoTo-echoFrom) / float64(nearTo-nearAt)
	window := rec.out[max(0, nearAt-audio.SampleRate/2):]
	oc, _ := audiotest.BestCorrelation(envelope(near), envelope(window))
	rc, _ := audiotest.BestCorrelation(envelope(near), envelope(rec.raw[max(0, nearAt-audio.SampleRate/2):]))
	t.Logf("near-end voice: output %.1f dB above the residual echo (raw capture: %.1f dB above the echo); envelope correlation with the voice %.2f (raw %.2f)",
		10*math.Log10(voice/residual), 10*math.Log10(rawRatio), oc, rc)
	if 10*math.Log10(voice/residual) < 3 || oc < 0.6 {
		t.Errorf("near-end voice %.1f dB above residual (want >= 3), envelope correlation %.2f (want >= 0.6)",
			10*math.Log10(voice/residual), oc)
	}
}

// echoDelay returns the lag (0 to DefaultEchoTail) at which y best
// correlates with x, and the normalised correlation there.
func echoDelay(x, y []float32) (time.Duration, float64) {
	best, at := 0.0, 0
	n := len(x) - samplesOf(DefaultEchoTail)
	for l := 0; l <= samplesOf(DefaultEchoTail); l++ {
		var xy, xx, yy float64
		for i := 0; i < n; i++ {
			a, b := float64(x[i]), float64(y[i+l])
			xy, xx, yy = xy+a*b, xx+a*a, yy+b*b
		}
		if c := xy / math.Sqrt(xx*yy+1e-20); c > best {
			best, at = c, l
		}
	}
	return time.Duration(at) * time.Second / audio.SampleRate, best
}

// activeSpan returns the first and last index of 10 ms blocks whose RMS
// exceeds thresh, or -1, -1.
func activeSpan(x []float32, thresh float32) (int, int) {
	return audiotest.ActiveSpan(x, audio.SampleRate/100, thresh)
}

// envelope is x's level in dB per audio.FrameSize frame.
func envelope(x []float32) []float64 {
	return audiotest.Envelope(x, audio.FrameSize, func(f []float32) float64 { return audio.LevelDB(audio.RMS(f)) })
}
