package frontend_test

import (
	"errors"
	"testing"

	"parley/pipeline/asr/frontend"
)

// TestWhisperMelWindow checks the window option: an 8 s window gives 800
// frames, and a window the STFT cannot tile is refused.
func TestWhisperMelWindow(t *testing.T) {
	m, err := frontend.NewWhisperMelWindow(80, 128000)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(m.Compute(make([]float32, 50000))); m.NumFrames() != 800 || got != 80*800 {
		t.Errorf("8 s window: %d frames, %d values", m.NumFrames(), got)
	}
	if full, _ := frontend.NewWhisperMel(80); full.NumFrames() != frontend.WhisperFrames {
		t.Errorf("default window: %d frames", full.NumFrames())
	}
	for _, n := range []int{0, 399, 128001} {
		if _, err := frontend.NewWhisperMelWindow(80, n); !errors.Is(err, frontend.ErrInvalidOption) {
			t.Errorf("window of %d samples: %v, want ErrInvalidOption", n, err)
		}
	}
}
