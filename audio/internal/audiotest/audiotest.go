// Package audiotest holds the signal measures that the audio packages'
// device tests share: a level envelope and its best correlation.
package audiotest

import "math"

// Envelope returns the level of consecutive frames of frame samples, as
// level measures it (e.g. RMS in dB).
func Envelope(x []float32, frame int, level func([]float32) float64) []float64 {
	var env []float64
	for i := 0; i+frame <= len(x); i += frame {
		env = append(env, level(x[i:i+frame]))
	}
	return env
}

// BestCorrelation returns the highest Pearson correlation of a against b
// shifted by any lag, where b is at least as long as a.
func BestCorrelation(a, b []float64) (float64, int) {
	best, lag := -1.0, 0
	for l := 0; l+len(a) <= len(b); l++ {
		if c := Pearson(a, b[l:l+len(a)]); c > best {
			best, lag = c, l
		}
	}
	return best, lag
}

// Pearson is the Pearson correlation of a and b (of equal length).
func Pearson(a, b []float64) float64 {
	n := float64(len(a))
	var sa, sb, saa, sbb, sab float64
	for i := range a {
		sa, sb = sa+a[i], sb+b[i]
		saa, sbb, sab = saa+a[i]*a[i], sbb+b[i]*b[i], sab+a[i]*b[i]
	}
	cov := sab - sa*sb/n
	return cov / math.Sqrt((saa-sa*sa/n)*(sbb-sb*sb/n))
}

// ActiveSpan returns the first index of the first and the end of the last
// block of block samples whose RMS exceeds thresh, or -1, -1 when none does.
func ActiveSpan(x []float32, block int, thresh float32) (int, int) {
	first, last := -1, -1
	for i := 0; i+block <= len(x); i += block {
		var sum float64
		for _, v := range x[i : i+block] {
			sum += float64(v) * float64(v)
		}
		if math.Sqrt(sum/float64(block)) > float64(thresh) {
			if first < 0 {
				first = i
			}
			last = i + block
		}
	}
	return first, last
}
