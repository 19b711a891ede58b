package frontend_test

import (
	"reflect"
	"testing"

	"parley/pipeline/asr/frontend"
)

// frames returns t one-bin frames holding 1, 2, …, t.
func frames(t int) [][]float32 {
	f := make([][]float32, t)
	for i := range f {
		f[i] = []float32{float32(i + 1)}
	}
	return f
}

func TestLFR(t *testing.T) {
	tests := []struct {
		name string
		t    int
		m, n int
		want [][]float32
	}{
		{"empty", 0, 7, 6, nil},
		{"bad window", 3, 0, 6, nil},
		{"bad shift", 3, 7, 0, nil},
		{"one frame", 1, 7, 6, [][]float32{{1, 1, 1, 1, 1, 1, 1}}},
		{"six frames", 6, 7, 6, [][]float32{{1, 1, 1, 1, 2, 3, 4}}},
		{"seven frames", 7, 7, 6, [][]float32{
			{1, 1, 1, 1, 2, 3, 4},
			{4, 5, 6, 7, 7, 7, 7},
		}},
		{"thirteen frames", 13, 7, 6, [][]float32{
			{1, 1, 1, 1, 2, 3, 4},
			{4, 5, 6, 7, 8, 9, 10},
			{10, 11, 12, 13, 13, 13, 13},
		}},
		{"m=1 n=1 is identity", 3, 1, 1, [][]float32{{1}, {2}, {3}}},
		{"even window pads (m-1)/2", 4, 4, 2, [][]float32{{1, 1, 2, 3}, {2, 3, 4, 4}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := frontend.LFR(frames(tc.t), tc.m, tc.n)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("LFR(%d frames, %d, %d) = %v, want %v", tc.t, tc.m, tc.n, got, tc.want)
			}
		})
	}
}

func TestLFRCountAndWidth(t *testing.T) {
	for tt := 1; tt <= 40; tt++ {
		in := make([][]float32, tt)
		for i := range in {
			in[i] = make([]float32, 80)
		}
		out := frontend.LFR(in, 7, 6)
		if want := (tt + 5) / 6; len(out) != want {
			t.Fatalf("T=%d: %d outputs, want ceil(T/6) = %d", tt, len(out), want)
		}
		if len(out[0]) != 560 {
			t.Fatalf("T=%d: width %d, want 560", tt, len(out[0]))
		}
	}
}
