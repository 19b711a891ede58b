package frontend

import "math"

// melFilter is one triangular filter, stored sparsely: weights apply to
// power-spectrum bins start, start+1, ….
type melFilter struct {
	start   int
	weights []float64
}

// melScale is Kaldi's mel scale, 1127 ln(1 + f/700).
func melScale(hz float64) float64 {
	return 1127 * math.Log1p(hz/700)
}

// newMelFilters builds Kaldi's triangular filters (no area normalisation)
// over the first fftLen/2 bins; like Kaldi and torchaudio, the Nyquist bin
// gets no weight.
func newMelFilters(o FbankOptions, fftLen int) []melFilter {
	binWidth := float64(o.SampleRate) / float64(fftLen)
	lowMel, highMel := melScale(o.LowFreq), melScale(o.highFreq())
	delta := (highMel - lowMel) / float64(o.NumBins+1)
	filters := make([]melFilter, o.NumBins)
	for b := range filters {
		left := lowMel + float64(b)*delta
		filters[b] = triangle(left, left+delta, left+2*delta, binWidth, fftLen/2)
	}
	return filters
}

// triangle returns the filter rising from left to centre and falling to
// right (all in mel), sampled at FFT bins 0 … numBins-1.
func triangle(left, centre, right, binWidth float64, numBins int) melFilter {
	var f melFilter
	for i := range numBins {
		mel := melScale(binWidth * float64(i))
		if mel <= left || mel >= right {
			continue
		}
		if f.weights == nil {
			f.start = i
		}
		w := (right - mel) / (right - centre)
		if mel <= centre {
			w = (mel - left) / (centre - left)
		}
		f.weights = append(f.weights, w)
	}
	return f
}

// apply returns the filter's weighted sum of the power spectrum.
func (f melFilter) apply(power []float64) float64 {
	var sum float64
	for j, w := range f.weights {
		sum += w * power[f.start+j]
	}
	return sum
}
