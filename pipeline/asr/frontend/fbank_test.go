package frontend_test

import (
	"errors"
	"math"
	"strings"
	"sync"
	"testing"

	"parley/pipeline/asr/frontend"
)

func newFbank(t testing.TB, edit func(*frontend.FbankOptions)) *frontend.Fbank {
	t.Helper()
	opts := frontend.DefaultFbankOptions()
	if edit != nil {
		edit(&opts)
	}
	fb, err := frontend.NewFbank(opts)
	if err != nil {
		t.Fatal(err)
	}
	return fb
}

func TestFrameCount(t *testing.T) {
	snip := newFbank(t, nil)
	centred := newFbank(t, func(o *frontend.FbankOptions) { o.SnipEdges = false })
	tests := []struct {
		name      string
		samples   int
		snip, not int
	}{
		{"empty", 0, 0, 0},
		{"under half a shift", 79, 0, 0},
		{"half a shift", 80, 0, 1},
		{"one short of a window", 399, 0, 2},
		{"one window", 400, 1, 3},
		{"window plus one shift minus one", 559, 1, 3},
		{"window plus one shift", 560, 2, 4},
		{"one second", 16000, 98, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			samples := make([]float32, tc.samples)
			for fb, want := range map[*frontend.Fbank]int{snip: tc.snip, centred: tc.not} {
				got := fb.Compute(samples)
				if len(got) != want || fb.NumFrames(tc.samples) != want {
					t.Errorf("snip=%v: %d frames (NumFrames %d), want %d", fb.Options().SnipEdges, len(got), fb.NumFrames(tc.samples), want)
				}
				for _, row := range got {
					if len(row) != 80 {
						t.Fatalf("row of %d bins, want 80", len(row))
					}
				}
			}
		})
	}
}

func TestSilenceIsFloored(t *testing.T) {
	feats := newFbank(t, nil).Compute(make([]float32, 1000))
	want := float32(math.Log(0x1p-23))
	for i, row := range feats {
		for j, v := range row {
			if v != want {
				t.Fatalf("frame %d bin %d = %g, want ln(FLT_EPSILON) = %g", i, j, v, want)
			}
		}
	}
}

// TestToneLandsInItsBin checks that a 1 kHz tone peaks in the mel filter
// whose centre is nearest 1 kHz.
func TestToneLandsInItsBin(t *testing.T) {
	samples := make([]float32, 4000)
	for i := range samples {
		samples[i] = float32(0.5 * math.Sin(2*math.Pi*1000*float64(i)/16000))
	}
	row := newFbank(t, nil).Compute(samples)[5]
	best := 0
	for j, v := range row {
		if v > row[best] {
			best = j
		}
	}
	mel := func(f float64) float64 { return 1127 * math.Log1p(f/700) }
	delta := (mel(8000) - mel(20)) / 81
	want := int(math.Round((mel(1000)-mel(20))/delta)) - 1
	if best < want-1 || best > want+1 {
		t.Errorf("1 kHz tone peaks in bin %d, want about %d", best, want)
	}
}

func TestOptionValidation(t *testing.T) {
	tests := []struct {
		field string
		edit  func(*frontend.FbankOptions)
	}{
		{"SampleRate", func(o *frontend.FbankOptions) { o.SampleRate = 0 }},
		{"NumBins", func(o *frontend.FbankOptions) { o.NumBins = 2 }},
		{"FrameLengthMS", func(o *frontend.FbankOptions) { o.FrameLengthMS = 0.05 }},
		{"FrameLengthMS", func(o *frontend.FbankOptions) { o.FrameLengthMS = math.NaN() }},
		{"FrameShiftMS", func(o *frontend.FbankOptions) { o.FrameShiftMS = -10 }},
		{"PreEmphasis", func(o *frontend.FbankOptions) { o.PreEmphasis = 1.5 }},
		{"LowFreq", func(o *frontend.FbankOptions) { o.LowFreq = -1 }},
		{"LowFreq", func(o *frontend.FbankOptions) { o.LowFreq = 8000 }},
		{"HighFreq", func(o *frontend.FbankOptions) { o.HighFreq = 9000 }},
		{"HighFreq", func(o *frontend.FbankOptions) { o.HighFreq = 10 }},
		{"HighFreq", func(o *frontend.FbankOptions) { o.HighFreq = -8000 }},
		{"Scale", func(o *frontend.FbankOptions) { o.Scale = 0 }},
		{"Scale", func(o *frontend.FbankOptions) { o.Scale = math.Inf(1) }},
	}
	for _, tc := range tests {
		t.Run(tc.field, func(t *testing.T) {
			opts := frontend.DefaultFbankOptions()
			tc.edit(&opts)
			_, err := frontend.NewFbank(opts)
			if !errors.Is(err, frontend.ErrInvalidOption) || !strings.Contains(err.Error(), "FbankOptions."+tc.field) {
				t.Errorf("got %v, want ErrInvalidOption naming %s", err, tc.field)
			}
		})
	}
}

func TestValidOptionVariants(t *testing.T) {
	for name, edit := range map[string]func(*frontend.FbankOptions){
		"default":              nil,
		"HighFreq 0 (Nyquist)": func(o *frontend.FbankOptions) { o.HighFreq = 0 },
		"HighFreq -400":        func(o *frontend.FbankOptions) { o.HighFreq = -400 },
		"8 kHz, 23 bins":       func(o *frontend.FbankOptions) { o.SampleRate, o.NumBins, o.HighFreq = 8000, 23, 0 },
		"no DC, no emphasis":   func(o *frontend.FbankOptions) { o.RemoveDC, o.PreEmphasis = false, 0 },
	} {
		t.Run(name, func(t *testing.T) {
			fb := newFbank(t, edit)
			for _, row := range fb.Compute(noise(4000)) {
				for _, v := range row {
					if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
						t.Fatalf("non-finite output %g", v)
					}
				}
			}
		})
	}
}

// TestConcurrentCompute runs one Fbank from several goroutines (meaningful
// under -race) and checks they all get the same numbers.
func TestConcurrentCompute(t *testing.T) {
	fb := newFbank(t, nil)
	samples := noise(8000)
	want := fb.Compute(samples)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			got := fb.Compute(samples)
			for i := range want {
				for j := range want[i] {
					if got[i][j] != want[i][j] {
						t.Errorf("frame %d bin %d: %g != %g", i, j, got[i][j], want[i][j])
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

// noise returns n deterministic pseudo-random samples in [-0.5, 0.5).
func noise(n int) []float32 {
	s := make([]float32, n)
	x := uint32(12345)
	for i := range s {
		x = x*1664525 + 1013904223
		s[i] = float32(x>>8)/(1<<24) - 0.5
	}
	return s
}
