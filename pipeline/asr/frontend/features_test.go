package frontend_test

import (
	"errors"
	"reflect"
	"testing"

	"parley/pipeline/asr/frontend"
)

func unitCMVN(dim int) frontend.CMVN {
	c := frontend.CMVN{NegMean: make([]float32, dim), InvStddev: make([]float32, dim)}
	for i := range c.InvStddev {
		c.InvStddev[i] = 1
	}
	return c
}

func TestFeaturesShape(t *testing.T) {
	fb := newFbank(t, nil)
	tests := []struct {
		name    string
		samples int
		frames  int
	}{
		{"too short", 399, 0},
		{"one fbank frame", 400, 1},
		{"one second", 16000, 17}, // 98 fbank frames -> ceil(98/6)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := frontend.Features(fb, noise(tc.samples), 7, 6, unitCMVN(560))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.frames {
				t.Fatalf("%d frames, want %d", len(got), tc.frames)
			}
			for _, row := range got {
				if len(row) != 560 {
					t.Fatalf("width %d, want 560", len(row))
				}
			}
		})
	}
}

func TestFeaturesEqualsSteps(t *testing.T) {
	fb := newFbank(t, nil)
	samples := noise(8000)
	cmvn := frontend.CMVN{NegMean: make([]float32, 560), InvStddev: make([]float32, 560)}
	for i := range cmvn.NegMean {
		cmvn.NegMean[i], cmvn.InvStddev[i] = float32(i)*-0.01, 0.1+float32(i)*0.001
	}
	want := frontend.LFR(fb.Compute(samples), 7, 6)
	if err := cmvn.Apply(want); err != nil {
		t.Fatal(err)
	}
	got, err := frontend.Features(fb, samples, 7, 6, cmvn)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Features differs from Compute+LFR+Apply (err %v)", err)
	}
	raw, err := frontend.Features(fb, samples, 7, 6, frontend.CMVN{})
	if err != nil || !reflect.DeepEqual(raw, frontend.LFR(fb.Compute(samples), 7, 6)) {
		t.Errorf("zero CMVN should skip normalisation (err %v)", err)
	}
}

func TestFeaturesErrors(t *testing.T) {
	fb := newFbank(t, nil)
	tests := []struct {
		name     string
		fb       *frontend.Fbank
		m, n     int
		cmvn     frontend.CMVN
		sentinel error
	}{
		{"nil fbank", nil, 7, 6, unitCMVN(560), frontend.ErrInvalidOption},
		{"zero window", fb, 0, 6, unitCMVN(560), frontend.ErrInvalidOption},
		{"zero shift", fb, 7, 0, unitCMVN(560), frontend.ErrInvalidOption},
		{"CMVN for another LFR", fb, 5, 6, unitCMVN(560), frontend.ErrDimension},
		{"CMVN halves differ", fb, 7, 6, frontend.CMVN{NegMean: make([]float32, 560)}, frontend.ErrDimension},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// 100 samples: no frames, yet configuration errors still show.
			_, err := frontend.Features(tc.fb, noise(100), tc.m, tc.n, tc.cmvn)
			if !errors.Is(err, tc.sentinel) {
				t.Errorf("got %v, want %v", err, tc.sentinel)
			}
		})
	}
}
