package frontend

import (
	"fmt"
	"math"
)

// FbankOptions configures the Kaldi-compatible log-mel filter bank. The
// zero value is not usable; start from DefaultFbankOptions.
type FbankOptions struct {
	// SampleRate is the rate of the input samples in Hz.
	SampleRate int
	// NumBins is the number of triangular mel filters (output width).
	NumBins int
	// FrameLengthMS is the analysis window length in milliseconds.
	FrameLengthMS float64
	// FrameShiftMS is the hop between frames in milliseconds.
	FrameShiftMS float64
	// PreEmphasis is the pre-emphasis coefficient (0 disables it).
	PreEmphasis float64
	// RemoveDC subtracts each frame's mean before pre-emphasis.
	RemoveDC bool
	// SnipEdges keeps only frames that fit the signal entirely; when false,
	// frames are centred on multiples of the shift and the signal is
	// mirrored at its ends (Kaldi's snip_edges=false).
	SnipEdges bool
	// LowFreq is the lower edge of the first mel filter in Hz.
	LowFreq float64
	// HighFreq is the upper edge of the last mel filter in Hz; zero or a
	// negative value is an offset from the Nyquist frequency.
	HighFreq float64
	// Scale multiplies every input sample before analysis (32768 turns
	// samples in [-1,1] into 16-bit integer units, as Kaldi expects).
	Scale float64
}

// DefaultFbankOptions returns the SenseVoice/Paraformer front end of
// MODEL_CONTRACTS.md section 0: 16 kHz, 80 bins, 25 ms windows every 10 ms,
// Hamming, pre-emphasis 0.97, DC removal, snipped edges, no dither, mel
// filters from 20 Hz to 8000 Hz, samples scaled by 32768.
func DefaultFbankOptions() FbankOptions {
	return FbankOptions{
		SampleRate:    16000,
		NumBins:       80,
		FrameLengthMS: 25,
		FrameShiftMS:  10,
		PreEmphasis:   0.97,
		RemoveDC:      true,
		SnipEdges:     true,
		LowFreq:       20,
		HighFreq:      8000,
		Scale:         32768,
	}
}

// Validate reports the first option outside its valid range, wrapping
// ErrInvalidOption and naming the field.
func (o FbankOptions) Validate() error {
	checks := []struct {
		ok    bool
		field string
		value any
		want  string
	}{
		{o.SampleRate > 0, "SampleRate", o.SampleRate, "> 0"},
		{o.NumBins >= 3, "NumBins", o.NumBins, ">= 3"},
		{o.frameLength() >= 2, "FrameLengthMS", o.FrameLengthMS, "at least 2 samples long"},
		{o.frameShift() >= 1, "FrameShiftMS", o.FrameShiftMS, "at least 1 sample long"},
		{o.PreEmphasis >= 0 && o.PreEmphasis <= 1, "PreEmphasis", o.PreEmphasis, "in [0, 1]"},
		{o.LowFreq >= 0 && o.LowFreq < o.nyquist(), "LowFreq", o.LowFreq, "in [0, Nyquist)"},
		{o.highFreq() > o.LowFreq && o.highFreq() <= o.nyquist(), "HighFreq", o.HighFreq, "above LowFreq and at most Nyquist (<= 0: offset from Nyquist)"},
		{o.Scale > 0 && !math.IsInf(o.Scale, 0), "Scale", o.Scale, "finite and > 0"},
	}
	for _, c := range checks {
		if !c.ok {
			return fmt.Errorf("%w: FbankOptions.%s = %v, want %s", ErrInvalidOption, c.field, c.value, c.want)
		}
	}
	return nil
}

// frameLength is the window length in samples (Kaldi truncates).
func (o FbankOptions) frameLength() int {
	return samplesIn(o.SampleRate, o.FrameLengthMS)
}

// frameShift is the hop in samples (Kaldi truncates).
func (o FbankOptions) frameShift() int {
	return samplesIn(o.SampleRate, o.FrameShiftMS)
}

func samplesIn(rate int, ms float64) int {
	n := float64(rate) * ms / 1000
	if !(n >= 0 && n < 1<<30) { // also rejects NaN
		return 0
	}
	return int(n)
}

func (o FbankOptions) nyquist() float64 { return float64(o.SampleRate) / 2 }

// highFreq resolves a non-positive HighFreq as an offset from Nyquist.
func (o FbankOptions) highFreq() float64 {
	if o.HighFreq <= 0 {
		return o.nyquist() + o.HighFreq
	}
	return o.HighFreq
}
