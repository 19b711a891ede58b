package audio

import (
	"math"
	"testing"
	"time"
)

// TestStreamResamplerMatchesBatch pushes a chirp in uneven chunks: the
// stream's outputs must equal the batch resampler's, sample for sample.
func TestStreamResamplerMatchesBatch(t *testing.T) {
	for _, from := range []int{16000, 44100, 48000} {
		in := chirp(from, time.Second, 200, 0.5)
		want, err := Resample(in, from, SampleRate)
		if err != nil {
			t.Fatal(err)
		}
		s, err := NewStreamResampler(from, SampleRate)
		if err != nil {
			t.Fatal(err)
		}
		var got []float32
		for i, k := 0, 1; i < len(in); i, k = i+k, k%997+37 {
			got = s.Push(got, in[i:min(len(in), i+k)])
		}
		if d := len(want) - len(got); d < 0 || d > 100 {
			t.Fatalf("%d Hz: %d outputs, batch %d", from, len(got), len(want))
		}
		worst := 0.0
		for i := range got {
			worst = max(worst, math.Abs(float64(got[i]-want[i])))
		}
		if worst > 1e-6 || s.Next() != int64(len(got)) {
			t.Errorf("%d Hz: largest difference %g, next %d for %d outputs", from, worst, s.Next(), len(got))
		}
	}
}
