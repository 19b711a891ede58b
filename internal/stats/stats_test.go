package stats

import (
	"math"
	"testing"
)

func TestQuantile(t *testing.T) {
	v := []float64{5, 1, 4, 2, 3, 6, 7, 8, 9, 10}
	tests := []struct {
		q, want float64
	}{{0, 1}, {-1, 1}, {0.5, 5.5}, {0.95, 9.55}, {0.99, 9.91}, {1, 10}, {1.5, 10}}
	for _, tc := range tests {
		if got := Quantile(v, tc.q); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("q%g = %g, want %g", tc.q, got, tc.want)
		}
	}
	cases := []struct {
		in      []float64
		q, want float64
	}{{nil, 0.5, 0}, {[]float64{5}, 0.95, 5}, {[]float64{3, 1, 2}, 0.5, 2}, {[]float64{1, 2, 3, 4}, 0.5, 2.5}}
	for _, c := range cases {
		if got := Quantile(c.in, c.q); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("Quantile(%v, %v) = %v, want %v", c.in, c.q, got, c.want)
		}
	}
	if v[0] != 5 {
		t.Error("Quantile sorted its input")
	}
}
