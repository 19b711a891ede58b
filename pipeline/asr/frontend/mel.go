package frontend

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
)

// OpenAI Whisper's log-mel front end (MODEL_CONTRACTS.md section 3a): 16 kHz
// audio padded or trimmed to 30 s, a centred 400-point STFT every 160
// samples with a periodic Hann window and reflected edges, the power
// spectrum through Slaney-normalised mel filters, log10 floored at 1e-10 and
// at the global maximum minus 8, then (x + 4) / 4.
const (
	// WhisperSamples is the 30 s window every Whisper input is padded or
	// trimmed to.
	WhisperSamples = 480000
	// WhisperFrames is the number of mel frames in that window.
	WhisperFrames = 3000
	// WhisperHop is the STFT hop in samples (10 ms).
	WhisperHop = 160
	// whisperFFT is the STFT length and window (25 ms).
	whisperFFT = 400
	// whisperBins is the number of power-spectrum bins, whisperFFT/2 + 1.
	whisperBins = whisperFFT/2 + 1
	// whisperRate is the sample rate the filters are built for.
	whisperRate = 16000
	// powerFloor is the floor before log10.
	powerFloor = 1e-10
	// dynamicRange is how far (in log10 units) below the maximum values are
	// floored.
	dynamicRange = 8.0
)

// WhisperMel computes Whisper's log-mel spectrogram. It is immutable after
// NewWhisperMel and safe for concurrent use; each Compute call makes its own
// FFT plan and buffers.
type WhisperMel struct {
	nMels   int
	samples int // the window audio is padded or trimmed to
	frames  int // samples / WhisperHop
	window  []float64
	filters []melFilter
}

// NewWhisperMel builds the window and filters for nMels mel bins: 80 for
// most Whisper models, 128 for large-v3 and large-v3-turbo.
func NewWhisperMel(nMels int) (*WhisperMel, error) {
	return NewWhisperMelWindow(nMels, WhisperSamples)
}

// NewWhisperMelWindow is NewWhisperMel over a window of samples (a
// multiple of WhisperHop) instead of 30 s: Smart Turn v3, for one, reads
// the same features over 8 s.
func NewWhisperMelWindow(nMels, samples int) (*WhisperMel, error) {
	if nMels != 80 && nMels != 128 {
		return nil, fmt.Errorf("%w: whisper mel: %d mel bins, want 80 or 128", ErrInvalidOption, nMels)
	}
	if samples < whisperFFT || samples%WhisperHop != 0 {
		return nil, fmt.Errorf("%w: whisper mel: window of %d samples, want a multiple of %d, at least %d", ErrInvalidOption, samples, WhisperHop, whisperFFT)
	}
	return &WhisperMel{nMels: nMels, samples: samples, frames: samples / WhisperHop,
		window: periodicHann(whisperFFT), filters: slaneyFilters(nMels)}, nil
}

// NumMels returns the number of mel bins (rows of Compute's output).
func (m *WhisperMel) NumMels() int { return m.nMels }

// NumFrames returns the number of mel frames (columns of Compute's output):
// WhisperFrames for the 30 s window.
func (m *WhisperMel) NumFrames() int { return m.frames }

// Compute returns the [NumMels, NumFrames] log-mel spectrogram of samples
// (16 kHz, [-1, 1]) in row-major order, ready to be a [1, NumMels,
// NumFrames] encoder input: samples past the window (30 s) are dropped,
// shorter audio is padded with silence.
func (m *WhisperMel) Compute(samples []float32) []float32 {
	if len(samples) > m.samples {
		samples = samples[:m.samples]
	}
	logMel := make([]float64, m.nMels*m.frames)
	s := newMelScratch()
	peak := math.Inf(-1)
	for t := range m.frames {
		if m.silentFrame(t, len(samples)) {
			peak = max(peak, m.silence(logMel, t))
			continue
		}
		m.frame(s, samples, t)
		for b, f := range m.filters {
			v := math.Log10(max(f.apply(s.power), powerFloor))
			logMel[b*m.frames+t] = v
			peak = max(peak, v)
		}
	}
	return normalise(logMel, peak)
}

// melScratch holds one Compute call's FFT plan and buffers.
type melScratch struct {
	fft   *fourier.FFT
	frame []float64
	coeff []complex128
	power []float64
}

func newMelScratch() *melScratch {
	return &melScratch{
		fft:   fourier.NewFFT(whisperFFT),
		frame: make([]float64, whisperFFT),
		coeff: make([]complex128, whisperBins),
		power: make([]float64, whisperBins),
	}
}

// frame fills s.power with the power spectrum of STFT frame t: samples
// [t*hop - 200, t*hop + 200) of the window, reflected at its edges.
func (m *WhisperMel) frame(s *melScratch, samples []float32, t int) {
	start := t*WhisperHop - whisperFFT/2
	for j, w := range m.window {
		s.frame[j] = w * sampleAt(samples, reflectIndex(start+j, m.samples))
	}
	s.fft.Coefficients(s.coeff, s.frame)
	for k, c := range s.coeff {
		s.power[k] = real(c)*real(c) + imag(c)*imag(c)
	}
}

// silence writes the log10 floor into frame t's column and returns it.
func (m *WhisperMel) silence(logMel []float64, t int) float64 {
	v := math.Log10(powerFloor)
	for b := range m.nMels {
		logMel[b*m.frames+t] = v
	}
	return v
}

// sampleAt is samples[i], or 0 in the padding past the audio.
func sampleAt(samples []float32, i int) float64 {
	if i < len(samples) {
		return float64(samples[i])
	}
	return 0
}

// reflectIndex maps an index outside [0, n) back inside by reflection
// without repeating the edge sample (torch's "reflect" padding).
func reflectIndex(i, n int) int {
	if i < 0 {
		return -i
	}
	if i >= n {
		return 2*(n-1) - i
	}
	return i
}

// silentFrame reports whether every sample frame t reads lies in the
// padding after n real samples, so that its spectrum is exactly zero.
func (m *WhisperMel) silentFrame(t, n int) bool {
	start, end := t*WhisperHop-whisperFFT/2, t*WhisperHop+whisperFFT/2-1
	lowest := start
	if end >= m.samples {
		lowest = min(lowest, reflectIndex(end, m.samples))
	}
	return lowest >= n
}

// normalise floors logMel at peak - 8, maps x to (x + 4) / 4 and converts
// to float32.
func normalise(logMel []float64, peak float64) []float32 {
	out := make([]float32, len(logMel))
	floor := peak - dynamicRange
	for i, v := range logMel {
		out[i] = float32((max(v, floor) + 4) / 4)
	}
	return out
}

// periodicHann is the periodic Hann window 0.5 - 0.5 cos(2πi/n) (torch's
// hann_window default).
func periodicHann(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n))
	}
	return w
}
