// Package frontend computes the speech features of parley's ONNX ASR
// engines: for SenseVoice and Paraformer, Kaldi-compatible log-mel filter
// banks, FunASR's low frame rate (LFR) stacking and CMVN, as specified in
// MODEL_CONTRACTS.md section 0 (numbers match torchaudio's
// compliance.kaldi.fbank within 1e-3); for Whisper, OpenAI's log-mel
// spectrogram of section 3a (within 1e-4 of torch.stft with torchaudio's
// Slaney filters). See scripts/reference.
package frontend

import (
	"fmt"
	"math"
	"math/bits"

	"gonum.org/v1/gonum/dsp/fourier"
)

// logFloor is FLT_EPSILON, the floor Kaldi applies before the logarithm.
const logFloor = 0x1p-23

// Fbank computes log-mel filter-bank features with precomputed window and
// mel filters. It is immutable after NewFbank and safe for concurrent use:
// each Compute call makes its own FFT plan and buffers (a 512-point plan
// costs about as much as one frame).
type Fbank struct {
	opts       FbankOptions
	frameLen   int
	frameShift int
	fftLen     int
	window     []float64
	filters    []melFilter
}

// NewFbank validates opts and precomputes the window and mel filters.
func NewFbank(opts FbankOptions) (*Fbank, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("new fbank: %w", err)
	}
	n := opts.frameLength()
	fftLen := 1 << bits.Len(uint(n-1)) // next power of two
	return &Fbank{
		opts:       opts,
		frameLen:   n,
		frameShift: opts.frameShift(),
		fftLen:     fftLen,
		window:     hamming(n),
		filters:    newMelFilters(opts, fftLen),
	}, nil
}

// Options returns the options the Fbank was built with.
func (f *Fbank) Options() FbankOptions { return f.opts }

// NumFrames returns how many frames Compute yields for numSamples samples:
// with snipped edges 1 + (n - window) / shift, or 0 when n < window;
// otherwise (n + shift/2) / shift.
func (f *Fbank) NumFrames(numSamples int) int {
	if !f.opts.SnipEdges {
		return (numSamples + f.frameShift/2) / f.frameShift
	}
	if numSamples < f.frameLen {
		return 0
	}
	return 1 + (numSamples-f.frameLen)/f.frameShift
}

// Compute returns NumFrames(len(samples)) rows of NumBins log-mel energies,
// ln(max(energy, FLT_EPSILON)), for samples in [-1, 1] at the configured
// rate. Too little audio yields no rows. Rows share one backing array.
func (f *Fbank) Compute(samples []float32) [][]float32 {
	out := newMatrix(f.NumFrames(len(samples)), f.opts.NumBins)
	s := f.newScratch()
	for i, row := range out {
		f.extractFrame(samples, i, s.frame)
		f.frameFeatures(s, row)
	}
	return out
}

// scratch holds one Compute call's working buffers.
type scratch struct {
	fft   *fourier.FFT
	frame []float64    // fftLen samples, zero past frameLen
	coeff []complex128 // fftLen/2 + 1 coefficients
	power []float64    // fftLen/2 + 1 power values
}

func (f *Fbank) newScratch() *scratch {
	return &scratch{
		fft:   fourier.NewFFT(f.fftLen),
		frame: make([]float64, f.fftLen),
		coeff: make([]complex128, f.fftLen/2+1),
		power: make([]float64, f.fftLen/2+1),
	}
}

// extractFrame copies frame i, scaled, into dst[:frameLen]. Without snipped
// edges it mirrors the signal at both ends as Kaldi does (index -1 reads
// sample 0, index n reads sample n-1).
func (f *Fbank) extractFrame(samples []float32, i int, dst []float64) {
	start := i * f.frameShift
	if !f.opts.SnipEdges {
		start += f.frameShift/2 - f.frameLen/2
	}
	n := len(samples)
	for j := range f.frameLen {
		k := start + j
		if k < 0 || k >= n {
			k = reflect(k, n)
		}
		dst[j] = float64(samples[k]) * f.opts.Scale
	}
}

// reflect maps an index outside [0, n) back inside by mirroring; repeated
// for signals shorter than half a window.
func reflect(k, n int) int {
	for k < 0 || k >= n {
		if k < 0 {
			k = -k - 1
		} else {
			k = 2*n - 1 - k
		}
	}
	return k
}

// frameFeatures turns one extracted frame into NumBins log-mel values.
func (f *Fbank) frameFeatures(s *scratch, row []float32) {
	x := s.frame[:f.frameLen]
	if f.opts.RemoveDC {
		removeDC(x)
	}
	preEmphasize(x, f.opts.PreEmphasis)
	for j, w := range f.window {
		x[j] *= w
	}
	clear(s.frame[f.frameLen:])
	s.fft.Coefficients(s.coeff, s.frame)
	for j, c := range s.coeff {
		s.power[j] = real(c)*real(c) + imag(c)*imag(c)
	}
	for b, filt := range f.filters {
		row[b] = float32(math.Log(max(filt.apply(s.power), logFloor)))
	}
}

func removeDC(x []float64) {
	var sum float64
	for _, v := range x {
		sum += v
	}
	mean := sum / float64(len(x))
	for j := range x {
		x[j] -= mean
	}
}

// preEmphasize applies x[i] -= k*x[i-1] from the end, and x[0] -= k*x[0].
func preEmphasize(x []float64, k float64) {
	if k == 0 {
		return
	}
	for j := len(x) - 1; j > 0; j-- {
		x[j] -= k * x[j-1]
	}
	x[0] -= k * x[0]
}

// hamming is the symmetric Hamming window 0.54 - 0.46 cos(2πi/(n-1)).
func hamming(n int) []float64 {
	w := make([]float64, n)
	a := 2 * math.Pi / float64(n-1)
	for i := range w {
		w[i] = 0.54 - 0.46*math.Cos(a*float64(i))
	}
	return w
}

// newMatrix returns rows x cols zeros sharing one backing array.
func newMatrix(rows, cols int) [][]float32 {
	data := make([]float32, rows*cols)
	m := make([][]float32, rows)
	for i := range m {
		m[i] = data[i*cols : (i+1)*cols : (i+1)*cols]
	}
	return m
}
