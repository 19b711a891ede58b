package audio

import (
	"math"
)

// sine returns n samples of a sine of freq Hz at rate with amplitude amp.
func sine(freq float64, rate, n int, amp float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = amp * float32(math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return out
}

// toneAmp measures the amplitude of the freq component of x (Goertzel,
// rectangular window); a pure sine of amplitude a gives about a.
func toneAmp(x []float32, freq float64, rate int) float64 {
	w := 2 * math.Pi * freq / float64(rate)
	var re, im float64
	for i, v := range x {
		re += float64(v) * math.Cos(w*float64(i))
		im -= float64(v) * math.Sin(w*float64(i))
	}
	return 2 * math.Hypot(re, im) / float64(len(x))
}

// channel extracts one channel of interleaved samples.
func channel(samples []float32, channels, ch int) []float32 {
	out := make([]float32, 0, len(samples)/channels)
	for i := ch; i < len(samples); i += channels {
		out = append(out, samples[i])
	}
	return out
}

// trim drops edge samples (resampler ramps) from both ends.
func trim(x []float32, n int) []float32 {
	if len(x) <= 2*n {
		return nil
	}
	return x[n : len(x)-n]
}
