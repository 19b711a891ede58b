package frontend_test

import (
	"errors"
	"math"
	"testing"

	"parley/internal/testenv"
	"parley/pipeline/asr/frontend"
)

// The .mel.f32 files come from scripts/reference/whisper_mel_reference.py
// (torch.stft and torchaudio's Slaney mel filters, OpenAI's normalisation).
// Torch computes in float32; this package in float64. Row i of a file is
// frame i*stride.
var melCases = []struct {
	name   string
	audio  []string
	nMels  int
	stride int
}{
	{"goforward-80", []string{"goforward.raw"}, 80, 1},
	{"goforward-128", []string{"goforward.raw"}, 128, 1},
	{"librivox-0880-80", []string{librivox[1]}, 80, 1},
	{"librivox-long-80", append(append([]string{}, librivox...), librivox...), 80, 10},
}

// librivox mirrors LIBRIVOX in the reference script.
var librivox = []string{
	"librivox/sense_and_sensibility_01_austen_64kb-0870.wav",
	"librivox/sense_and_sensibility_01_austen_64kb-0880.wav",
	"librivox/sense_and_sensibility_01_austen_64kb-0890.wav",
	"librivox/sense_and_sensibility_01_austen_64kb-0920.wav",
	"librivox/sense_and_sensibility_01_austen_64kb-0930.wav",
}

func TestWhisperMelMatchesTorch(t *testing.T) {
	for _, tc := range melCases {
		t.Run(tc.name, func(t *testing.T) {
			var samples []float32
			for _, a := range tc.audio {
				samples = append(samples, readPCM16(t, testenv.TestData(t, a))...)
			}
			mel := newWhisperMel(t, tc.nMels).Compute(samples)
			if len(mel) != tc.nMels*frontend.WhisperFrames {
				t.Fatalf("got %d values, want %d x %d", len(mel), tc.nMels, frontend.WhisperFrames)
			}
			want := readF32(t, tc.name+".mel.f32")
			got := make([][]float32, len(want))
			for i := range got {
				got[i] = melFrame(mel, tc.nMels, i*tc.stride)
			}
			t.Logf("max abs diff %.3g over %d frames", diffWithin(t, got, want, melTolerance), len(want))
			if tc.stride == 1 {
				checkPaddingFrames(t, mel, tc.nMels, len(want))
			}
		})
	}
}

// melTolerance bounds the difference to the reference: measured 1e-5 to
// 3e-5, the size of torch's float32 rounding (its float64 result is within
// 4e-6 to 3e-5; torchaudio builds the filters in float32 either way).
const melTolerance = 1e-4

// checkPaddingFrames checks that frames from `from` on are all one value,
// the normalised floor, as the reference's last stored frame is.
func checkPaddingFrames(t *testing.T, mel []float32, nMels, from int) {
	t.Helper()
	floor := mel[from-1]
	for f := from - 1; f < frontend.WhisperFrames; f++ {
		for b, v := range melFrame(mel, nMels, f) {
			if v != floor {
				t.Fatalf("padding frame %d bin %d = %g, want the floor %g", f, b, v, floor)
			}
		}
	}
}

// melFrame returns frame f of a [nMels, 3000] spectrogram.
func melFrame(mel []float32, nMels, f int) []float32 {
	out := make([]float32, nMels)
	for b := range out {
		out[b] = mel[b*frontend.WhisperFrames+f]
	}
	return out
}

func newWhisperMel(t testing.TB, nMels int) *frontend.WhisperMel {
	t.Helper()
	m, err := frontend.NewWhisperMel(nMels)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestWhisperMelRejectsOtherSizes(t *testing.T) {
	for _, n := range []int{0, 40, 81, 129} {
		if _, err := frontend.NewWhisperMel(n); !errors.Is(err, frontend.ErrInvalidOption) {
			t.Errorf("NewWhisperMel(%d) = %v, want ErrInvalidOption", n, err)
		}
	}
}

func TestWhisperMelSilenceAndRange(t *testing.T) {
	m := newWhisperMel(t, 80)
	for _, tc := range []struct {
		name    string
		samples []float32
	}{{"empty", nil}, {"zeros", make([]float32, 16000)}} {
		t.Run(tc.name, func(t *testing.T) {
			// All power is 0: log10 floor -10, max -10, (x+4)/4 = -1.5.
			for i, v := range m.Compute(tc.samples) {
				if v != -1.5 {
					t.Fatalf("value %d = %g, want -1.5", i, v)
				}
			}
		})
	}
	t.Run("dynamic range", func(t *testing.T) {
		mel := m.Compute(noise(3 * 16000))
		lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
		for _, v := range mel {
			lo, hi = min(lo, v), max(hi, v)
		}
		// The floor is the maximum minus 8 in log10, i.e. 2 after /4.
		if d := hi - lo; math.Abs(float64(d)-2) > 1e-6 {
			t.Errorf("max - min = %g, want 2 (loud noise then padding)", d)
		}
	})
}

func TestWhisperMelTrimsTo30Seconds(t *testing.T) {
	m := newWhisperMel(t, 80)
	x := noise(frontend.WhisperSamples)
	long := append(append([]float32{}, x...), noise(16000)...)
	a, b := m.Compute(x), m.Compute(long)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("value %d: 30 s %g, 31 s %g: audio past 30 s must be dropped", i, a[i], b[i])
		}
	}
}

// BenchmarkWhisperMel measures one 30 s window holding 5 s of audio (the
// frames of the silent padding are skipped).
func BenchmarkWhisperMel(b *testing.B) {
	for _, sec := range []int{5, 30} {
		b.Run(map[int]string{5: "5s", 30: "30s"}[sec], func(b *testing.B) {
			m := newWhisperMel(b, 80)
			x := noise(sec * 16000)
			for b.Loop() {
				m.Compute(x)
			}
		})
	}
}
