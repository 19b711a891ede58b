package echo

import (
	"errors"
	"math"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"parley/audio"
	"parley/audio/internal/audiotest"
	"parley/internal/testenv"
)

// farText and nearText are what the synthetic far end (parley) and near end
// (the user) say; two voices so their spectra differ as in real life.
const (
	farText  = "The weather today is mostly sunny with a light breeze from the west. Later this evening clouds will gather and there may be some rain."
	nearText = "Stop, I want to ask something else."
)

// fliteVoice synthesises text with a flite voice and returns it at
// SampleRate, mono.
func fliteVoice(t testing.TB, voice, text string) []float32 {
	t.Helper()
	samples, err := audio.ReadMono16k(fliteFile(t, voice, text))
	if err != nil {
		t.Fatal(err)
	}
	return samples
}

// fliteFile synthesises text with a flite voice into a temporary WAV.
func fliteFile(t testing.TB, voice, text string) string {
	t.Helper()
	flite := testenv.Command(t, "flite")
	path := filepath.Join(t.TempDir(), voice+".wav")
	if out, err := exec.Command(flite, "-voice", voice, "-t", text, "-o", path).CombinedOutput(); err != nil {
		t.Fatalf("flite: %v: %s", err, out)
	}
	return path
}

// echoOf simulates a room: the reference delayed by delay, scaled by gain,
// with a weaker reflection 7 ms later.
func echoOf(ref []float32, delay time.Duration, gain float32) []float32 {
	d, r := samplesOf(delay), samplesOf(7*time.Millisecond)
	out := make([]float32, len(ref))
	for i := range out {
		if i >= d {
			out[i] += gain * ref[i-d]
		}
		if i >= d+r {
			out[i] += 0.3 * gain * ref[i-d-r]
		}
	}
	return out
}

func energy(x []float32) float64 {
	var e float64
	for _, v := range x {
		e += float64(v) * float64(v)
	}
	return e
}

func cancelAll(t testing.TB, opts EchoOptions, captured, ref []float32) []float32 {
	t.Helper()
	aec, err := NewEchoCanceller(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer aec.Close()
	n := len(captured) / aec.FrameSize() * aec.FrameSize()
	out, err := aec.Process(captured[:n], ref[:n])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEchoCancellerSynthetic feeds speech and its simulated echo (40 ms,
// gain 0.5): after two seconds of convergence the echo must be at least
// 10 dB weaker (ERLE), with and without residual suppression.
func TestEchoCancellerSynthetic(t *testing.T) {
	far := fliteVoice(t, "slt", farText)
	captured := echoOf(far, 40*time.Millisecond, 0.5)
	from := 2 * audio.SampleRate
	for _, rs := range []bool{false, true} {
		out := cancelAll(t, EchoOptions{ResidualSuppression: rs}, captured, far)
		erle := 10 * math.Log10(energy(captured[from:len(out)])/energy(out[from:]))
		t.Logf("residual suppression %v: ERLE %.1f dB over %.1f s after 2 s of convergence",
			rs, erle, float64(len(out)-from)/audio.SampleRate)
		if erle < 10 {
			t.Errorf("residual suppression %v: ERLE %.1f dB, want >= 10", rs, erle)
		}
	}
}

// TestEchoCancellerKeepsNearEnd mixes a second voice onto the echo once the
// filter has converged: the output must still carry it (correlation with
// the clean near-end voice, and most of its energy).
func TestEchoCancellerKeepsNearEnd(t *testing.T) {
	far := fliteVoice(t, "slt", farText)
	near := fliteVoice(t, "kal16", nearText)
	captured := echoOf(far, 40*time.Millisecond, 0.5)
	at := 3 * audio.SampleRate
	for i, v := range near {
		if at+i < len(captured) {
			captured[at+i] += v
		}
	}
	span := min(len(near), len(captured)-at)
	nearPart := near[:span]
	for _, rs := range []bool{false, true} {
		out := cancelAll(t, EchoOptions{ResidualSuppression: rs}, captured, far)
		c, lag := 0.0, 0
		for l := 0; l <= 2*DefaultEchoFrame && at+l+span <= len(out); l++ { // the suppressor delays by a frame
			if v := audiotest.Pearson(toFloat64(out[at+l:at+l+span]), toFloat64(nearPart)); v > c {
				c, lag = v, l
			}
		}
		got := out[at+lag : at+lag+span]
		kept := 10 * math.Log10(energy(got)/energy(nearPart))
		raw := audiotest.Pearson(toFloat64(captured[at:at+span]), toFloat64(nearPart))
		t.Logf("residual suppression %v: near-end correlation %.3f (lag %d; raw capture %.3f), output/near energy %+.1f dB, captured/near %+.1f dB",
			rs, c, lag, raw, kept, 10*math.Log10(energy(captured[at:at+span])/energy(nearPart)))
		if c < 0.8 || kept < -3 {
			t.Errorf("residual suppression %v: near-end correlation %.3f (want >= 0.8), energy %+.1f dB (want >= -3)", rs, c, kept)
		}
	}
}

func toFloat64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// TestEchoCancellerOptions checks validation, frame checks and Close.
func TestEchoCancellerOptions(t *testing.T) {
	if _, err := NewEchoCanceller(EchoOptions{TailLength: time.Millisecond}); !errors.Is(err, audio.ErrInvalidOptions) {
		t.Errorf("1 ms tail: err %v, want audio.ErrInvalidOptions", err)
	}
	if _, err := NewEchoCanceller(EchoOptions{SuppressDB: 10}); !errors.Is(err, audio.ErrInvalidOptions) {
		t.Errorf("positive suppression: err %v, want audio.ErrInvalidOptions", err)
	}
	aec, err := NewEchoCanceller(EchoOptions{ResidualSuppression: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := aec.Process(make([]float32, 100), make([]float32, 100)); !errors.Is(err, ErrEchoFrame) {
		t.Errorf("100 samples: err %v, want ErrEchoFrame", err)
	}
	if err := aec.Close(); err != nil {
		t.Fatal(err)
	}
	if err := aec.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := aec.Process(make([]float32, 160), make([]float32, 160)); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("after Close: err %v, want audio.ErrClosed", err)
	}
}

// BenchmarkEchoCanceller measures one 10 ms frame (160 samples, 200 ms
// tail) on speech, with and without residual suppression.
func BenchmarkEchoCanceller(b *testing.B) {
	far := fliteVoice(b, "slt", farText)
	captured := echoOf(far, 40*time.Millisecond, 0.5)
	for _, rs := range []bool{false, true} {
		name := map[bool]string{false: "linear", true: "suppress"}[rs]
		b.Run(name, func(b *testing.B) {
			aec, err := NewEchoCanceller(EchoOptions{ResidualSuppression: rs})
			if err != nil {
				b.Fatal(err)
			}
			defer aec.Close()
			out := make([]float32, DefaultEchoFrame)
			frames := len(far) / DefaultEchoFrame
			b.ResetTimer()
			for i := range b.N {
				k := i % frames * DefaultEchoFrame
				if err := aec.ProcessInto(out, captured[k:k+DefaultEchoFrame], far[k:k+DefaultEchoFrame]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
