package turn

import (
	"fmt"
	"math"

	"parley/pipeline/asr/frontend"
)

// Smart Turn v3's features (MODEL_CONTRACTS.md section 9): Whisper's
// log-mel spectrogram (frontend.WhisperMel, 80 bins) over a window of 8 s
// instead of 30, of audio first normalised as Hugging Face's feature
// extractor does with do_normalize: the last 8 s (zero-padded at the
// front) scaled to zero mean and unit variance.
const (
	melSeconds = 8
	melSamples = melSeconds * SampleRate
	melBins    = 80
	melFrames  = melSamples / frontend.WhisperHop // 800
	normEps    = 1e-7
)

// melSpec computes the features; it is immutable and safe for concurrent
// use.
type melSpec struct {
	mel *frontend.WhisperMel
}

func newMelSpec() (*melSpec, error) {
	mel, err := frontend.NewWhisperMelWindow(melBins, melSamples)
	if err != nil {
		return nil, fmt.Errorf("smart-turn features: %w", err)
	}
	return &melSpec{mel: mel}, nil
}

// features returns the [melBins, melFrames] features of audio's last 8 s,
// row-major (one row per mel bin), ready to be one [1, 80, 800] input.
func (m *melSpec) features(audio []float32) []float32 {
	return m.mel.Compute(normalised(lastWindow(audio)))
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

// normalised scales x to zero mean and unit (population) variance, as
// Hugging Face's zero_mean_unit_var_norm does, in float32 for the front end.
func normalised(x []float64) []float32 {
	var sum, sq float64
	for _, v := range x {
		sum += v
	}
	mean := sum / float64(len(x))
	for _, v := range x {
		sq += (v - mean) * (v - mean)
	}
	scale := 1 / math.Sqrt(sq/float64(len(x))+normEps)
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32((v - mean) * scale)
	}
	return out
}
