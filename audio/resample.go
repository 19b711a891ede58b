package audio

import (
	"fmt"
	"math"
)

// Resampler quality settings. A Kaiser-windowed sinc with 24 zero crossings
// on each side and beta 8.6 attenuates the stop band by about 85 dB; the pass
// band ends at 91 % of the lower Nyquist frequency, so the transition band
// sits just below it and nothing above the output's Nyquist frequency folds
// back audibly (8 kHz output: flat to ~7.3 kHz, >80 dB down above ~8.1 kHz).
const (
	resampleZeros   = 24
	resampleBeta    = 8.6
	resampleRolloff = 0.91
	resamplePhases  = 256 // table rows; positions between rows interpolate linearly
)

// Resampler converts mono audio between two sample rates with a band-limited
// polyphase windowed-sinc filter. It holds only immutable tables and is safe
// for concurrent use.
type Resampler struct {
	from, to int
	half     int       // taps on each side of the output position
	table    []float32 // (resamplePhases+1) rows of 2*half taps
}

// MinRate and MaxRate bound the sample rates parley reads, resamples and
// plays. Why: the resampler's filter grows with the ratio of the rates (a
// 4 GHz header asked for a 13 GB table) and its work with the output's
// length (a 1 Hz header turned 20 KB into 2 minutes of work); 1 kHz to
// 384 kHz covers every real recording and device.
const (
	MinRate = 1000
	MaxRate = 384000
)

// NewResampler builds a resampler from one rate (Hz) to another, each
// between MinRate and MaxRate.
func NewResampler(from, to int) (*Resampler, error) {
	if !validRate(from) || !validRate(to) {
		return nil, fmt.Errorf("resample %d Hz to %d Hz (allowed: %d to %d Hz): %w", from, to, MinRate, MaxRate, ErrInvalidAudio)
	}
	cutoff := 0.5 * resampleRolloff * min(1, float64(to)/float64(from)) // cycles per input sample
	halfLen := resampleZeros / (2 * cutoff)
	r := &Resampler{from: from, to: to, half: int(math.Ceil(halfLen))}
	r.table = buildTable(r.half, cutoff, halfLen)
	return r, nil
}

// buildTable fills one row per fractional position p/resamplePhases; each
// row is normalised to a sum of one so that DC passes with gain exactly 1.
func buildTable(half int, cutoff, halfLen float64) []float32 {
	taps := 2 * half
	table := make([]float32, (resamplePhases+1)*taps)
	norm := besselI0(resampleBeta)
	for p := 0; p <= resamplePhases; p++ {
		row := table[p*taps : (p+1)*taps]
		frac := float64(p) / resamplePhases
		var sum float64
		v := make([]float64, taps)
		for j := range v {
			x := frac + float64(half-1-j) // distance from output position to input tap
			v[j] = windowedSinc(x, cutoff, halfLen, norm)
			sum += v[j]
		}
		for j := range row {
			row[j] = float32(v[j] / sum)
		}
	}
	return table
}

func windowedSinc(x, cutoff, halfLen, norm float64) float64 {
	if math.Abs(x) >= halfLen {
		return 0
	}
	s := 2 * cutoff
	if x != 0 {
		s = math.Sin(2*math.Pi*cutoff*x) / (math.Pi * x)
	}
	r := x / halfLen
	return s * besselI0(resampleBeta*math.Sqrt(1-r*r)) / norm
}

// besselI0 is the zeroth-order modified Bessel function of the first kind.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50 && term > 1e-12*sum; k++ {
		f := x / (2 * float64(k))
		term *= f * f
		sum += term
	}
	return sum
}

// OutputLen returns how many samples Process makes from n input samples:
// n*to/from rounded to the nearest integer.
func (r *Resampler) OutputLen(n int) int {
	return int((int64(n)*int64(r.to) + int64(r.from)/2) / int64(r.from))
}

// Process resamples a whole mono buffer; samples beyond either end count as
// silence. The input is not modified.
func (r *Resampler) Process(in []float32) []float32 {
	if r.from == r.to {
		return append([]float32(nil), in...)
	}
	out := make([]float32, r.OutputLen(len(in)))
	step := float64(r.from) / float64(r.to)
	for k := range out {
		out[k] = r.at(in, float64(k)*step)
	}
	return out
}

// at evaluates the band-limited signal at input position t.
func (r *Resampler) at(in []float32, t float64) float32 {
	base := int(math.Floor(t))
	pos := (t - float64(base)) * resamplePhases
	p := int(pos)
	w := float32(pos - float64(p))
	taps := 2 * r.half
	row0 := r.table[p*taps : (p+1)*taps]
	row1 := r.table[(p+1)*taps : (p+2)*taps]
	first := base - r.half + 1
	lo, hi := max(0, -first), min(taps, len(in)-first)
	var acc float32
	for j := lo; j < hi; j++ {
		c := row0[j] + w*(row1[j]-row0[j])
		acc += c * in[first+j]
	}
	return acc
}

// Resample converts mono samples from one rate to another.
func Resample(in []float32, from, to int) ([]float32, error) {
	r, err := NewResampler(from, to)
	if err != nil {
		return nil, err
	}
	return r.Process(in), nil
}

func validRate(rate int) bool { return rate >= MinRate && rate <= MaxRate }
