package audio

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

var resampleRates = [][2]int{
	{8000, 16000}, {22050, 16000}, {44100, 16000}, {48000, 16000},
	{16000, 8000}, {16000, 22050}, {16000, 44100}, {16000, 48000},
}

func TestResampleLengthAndDC(t *testing.T) {
	for _, r := range resampleRates {
		t.Run(fmt.Sprintf("%d-%d", r[0], r[1]), func(t *testing.T) {
			in := make([]float32, r[0]) // one second of DC
			for i := range in {
				in[i] = 0.5
			}
			out, err := Resample(in, r[0], r[1])
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != r[1] {
				t.Fatalf("len %d, want %d", len(out), r[1])
			}
			for i, v := range trim(out, 200) {
				if math.Abs(float64(v)-0.5) > 1e-4 {
					t.Fatalf("sample %d = %v, want DC 0.5", i+200, v)
				}
			}
		})
	}
}

func TestResampleKeepsTone(t *testing.T) {
	for _, r := range resampleRates {
		t.Run(fmt.Sprintf("%d-%d", r[0], r[1]), func(t *testing.T) {
			out, err := Resample(sine(1000, r[0], r[0]/2, 0.5), r[0], r[1])
			if err != nil {
				t.Fatal(err)
			}
			mid := trim(out, r[1]/20)
			if got := toneAmp(mid, 1000, r[1]); math.Abs(got-0.5) > 0.005 {
				t.Errorf("1 kHz amplitude %.4f, want 0.5", got)
			}
			for _, f := range []float64{900, 1100, 3000} { // the frequency did not move
				if got := toneAmp(mid, f, r[1]); got > 0.01 {
					t.Errorf("%g Hz amplitude %.4f: tone moved or spread", f, got)
				}
			}
		})
	}
}

func TestResampleAttenuatesAliases(t *testing.T) {
	tests := []struct {
		from, to int
		tone     float64 // input tone
		alias    float64 // where it would land without a filter
	}{
		{48000, 16000, 12000, 4000},
		{44100, 16000, 10000, 6000},
		{22050, 16000, 9500, 6500},
		{16000, 8000, 6000, 2000},
		{8000, 16000, 1000, 7000}, // upsampling image
		{16000, 48000, 7000, 9000},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d-%d@%g", tc.from, tc.to, tc.tone), func(t *testing.T) {
			out, err := Resample(sine(tc.tone, tc.from, tc.from/2, 0.5), tc.from, tc.to)
			if err != nil {
				t.Fatal(err)
			}
			mid := trim(out, tc.to/20)
			got := toneAmp(mid, tc.alias, tc.to)
			db := 20 * math.Log10(got/0.5+1e-12)
			t.Logf("alias at %g Hz: %.1f dB", tc.alias, db)
			if db > -60 {
				t.Errorf("alias at %g Hz is %.1f dB below the tone, want at least 60", tc.alias, -db)
			}
		})
	}
}

func TestResampleErrorsAndIdentity(t *testing.T) {
	if _, err := Resample([]float32{1}, 0, 16000); !errors.Is(err, ErrInvalidAudio) {
		t.Fatalf("rate 0: err = %v", err)
	}
	in := []float32{1, 2, 3}
	out, err := Resample(in, 16000, 16000)
	if err != nil || len(out) != 3 || &out[0] == &in[0] {
		t.Fatalf("identity: %v %v (must copy)", out, err)
	}
}

func BenchmarkResample48kTo16k(b *testing.B) {
	in := sine(440, 48000, 48000, 0.5)
	r, err := NewResampler(48000, 16000)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r.Process(in)
	}
}
