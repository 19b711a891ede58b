package turn

import (
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// Smart Turn v3's features (MODEL_CONTRACTS.md section 9): Whisper's
// log-mel spectrogram over a window of 8 s instead of 30. The last 8 s of
// audio (zero-padded at the front) are normalised to zero mean and unit
// variance, cut into centred 400-point periodic-Hann frames every 160
// samples (reflected at the edges; 801 frames, the last dropped), and the
// power spectrum goes through 80 Slaney-normalised Slaney-scale mel filters
// from 0 to 8 kHz; then log10 (floored at 1e-10, and at the maximum minus
// 8) and (x + 4) / 4.
//
// This is the same computation as the Whisper front end the whisper branch
// adds in pipeline/asr/frontend (WhisperMel, fixed to 30 s there); once that
// takes a window length, melSpec can be replaced by it plus the
// normalisation step.
const (
	melSeconds = 8
	melSamples = melSeconds * SampleRate
	melHop     = 160
	melFrames  = melSamples / melHop // 800
	melBins    = 80
	melFFT     = 400
	melFreqs   = melFFT/2 + 1
	melFloor   = 1e-10
	melRange   = 8.0
	normEps    = 1e-7
)

// melFilter is one triangular mel filter: its weights over power bins
// [first, first+len(weights)).
type melFilter struct {
	first   int
	weights []float64
}

// melSpec computes the features; it is immutable and safe for concurrent
// use.
type melSpec struct {
	window  []float64
	filters []melFilter
}

func newMelSpec() *melSpec {
	window := make([]float64, melFFT)
	for i := range window {
		window[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/melFFT) // periodic
	}
	return &melSpec{window: window, filters: slaneyFilters()}
}

// features returns the [melBins, melFrames] features of audio's last 8 s,
// row-major (one row per mel bin), ready to be one [1, 80, 800] input.
func (m *melSpec) features(audio []float32) []float32 {
	x := normalised(lastWindow(audio))
	s := newMelScratch()
	logMel := make([]float64, melBins*melFrames)
	peak := math.Inf(-1)
	for t := range melFrames {
		m.powerSpectrum(s, x, t)
		for b, f := range m.filters {
			v := math.Log10(max(f.apply(s.power), melFloor))
			logMel[b*melFrames+t] = v
			peak = max(peak, v)
		}
	}
	out := make([]float32, len(logMel))
	for i, v := range logMel {
		out[i] = float32((max(v, peak-melRange) + 4) / 4)
	}
	return out
}

// melScratch holds one features call's FFT plan and buffers.
type melScratch struct {
	fft   *fourier.FFT
	frame []float64
	coeff []complex128
	power []float64
}

func newMelScratch() *melScratch {
	return &melScratch{
		fft:   fourier.NewFFT(melFFT),
		frame: make([]float64, melFFT),
		coeff: make([]complex128, melFreqs),
		power: make([]float64, melFreqs),
	}
}

// powerSpectrum fills s.power with frame t's power spectrum: the window
// centred on sample t*melHop, reflected at the edges of x.
func (m *melSpec) powerSpectrum(s *melScratch, x []float64, t int) {
	start := t*melHop - melFFT/2
	for j, w := range m.window {
		s.frame[j] = w * x[reflect(start+j, len(x))]
	}
	s.fft.Coefficients(s.coeff, s.frame)
	for k, c := range s.coeff {
		s.power[k] = real(c)*real(c) + imag(c)*imag(c)
	}
}

// lastWindow returns the last melSamples of audio, zero-padded at the front.
func lastWindow(audio []float32) []float64 {
	x := make([]float64, melSamples)
	if len(audio) > melSamples {
		audio = audio[len(audio)-melSamples:]
	}
	off := melSamples - len(audio)
	for i, v := range audio {
		x[off+i] = float64(v)
	}
	return x
}

// normalised scales x in place to zero mean and unit (population)
// variance, as Hugging Face's zero_mean_unit_var_norm does.
func normalised(x []float64) []float64 {
	var sum, sq float64
	for _, v := range x {
		sum += v
	}
	mean := sum / float64(len(x))
	for _, v := range x {
		sq += (v - mean) * (v - mean)
	}
	scale := 1 / math.Sqrt(sq/float64(len(x))+normEps)
	for i, v := range x {
		x[i] = (v - mean) * scale
	}
	return x
}

// reflect maps an index outside [0, n) back inside without repeating the
// edge sample (numpy's and torch's "reflect").
func reflect(i, n int) int {
	if i < 0 {
		return -i
	}
	if i >= n {
		return 2*(n-1) - i
	}
	return i
}

func (f melFilter) apply(power []float64) float64 {
	var s float64
	for i, w := range f.weights {
		s += w * power[f.first+i]
	}
	return s
}

// slaneyFilters builds librosa's default mel filters (htk=False,
// norm="slaney") for 16 kHz, 400-point frames, 80 bins from 0 to 8 kHz.
func slaneyFilters() []melFilter {
	lo, hi := hzToMel(0), hzToMel(SampleRate/2)
	points := make([]float64, melBins+2)
	for i := range points {
		points[i] = melToHz(lo + (hi-lo)*float64(i)/float64(melBins+1))
	}
	filters := make([]melFilter, melBins)
	for b := range filters {
		filters[b] = triangle(points[b], points[b+1], points[b+2])
	}
	return filters
}

// triangle is the filter rising from left to centre and falling to right
// (Hz), scaled by 2 / (right - left) so that each has unit area.
func triangle(left, centre, right float64) melFilter {
	norm := 2 / (right - left)
	f := melFilter{}
	for k := range melFreqs {
		hz := float64(k) * SampleRate / melFFT
		w := max(0, min((hz-left)/(centre-left), (right-hz)/(right-centre))) * norm
		switch {
		case w > 0 && f.weights == nil:
			f.first = k
			f.weights = []float64{w}
		case f.weights != nil && w > 0:
			f.weights = append(f.weights, w)
		case f.weights != nil:
			return f
		}
	}
	return f
}

// Slaney's mel scale: linear below 1 kHz (200/3 Hz per mel), logarithmic
// above (27 mels per factor 6.4).
const (
	melLinear  = 200.0 / 3
	melBreakHz = 1000.0
	melBreak   = melBreakHz / melLinear
)

var melLogStep = math.Log(6.4) / 27

func hzToMel(hz float64) float64 {
	if hz < melBreakHz {
		return hz / melLinear
	}
	return melBreak + math.Log(hz/melBreakHz)/melLogStep
}

func melToHz(mel float64) float64 {
	if mel < melBreak {
		return mel * melLinear
	}
	return melBreakHz * math.Exp(melLogStep*(mel-melBreak))
}
