package asr_test

import (
	"math"
	"testing"

	"parley/pipeline/asr"
)

// loud returns n samples of a 440 Hz sine at amplitude a.
func loud(n int, a float64) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(a * math.Sin(2*math.Pi*440*float64(i)/16000+1))
	}
	return out
}

// concat joins sample slices.
func concat(parts ...[]float32) []float32 {
	var out []float32
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestSplitLongCutsInQuietGap(t *testing.T) {
	// 10 s limit: 8.5 s of sound, 0.2 s gap at [8.5, 8.7) s, then 6 s more.
	audio := concat(loud(136000, 0.5), make([]float32, 3200), loud(96000, 0.5))
	chunks := asr.SplitLong(audio, 10)
	if len(chunks) != 2 {
		t.Fatalf("%d chunks", len(chunks))
	}
	if cut := len(chunks[0]); cut < 136000+256 || cut > 136000+3200-256 {
		t.Errorf("cut at sample %d, want inside the gap [136256, 138944]", cut)
	}
	if len(concat(chunks...)) != len(audio) || &chunks[1][0] != &audio[len(chunks[0])] {
		t.Error("chunks do not tile the input")
	}
}

func TestSplitLongBounds(t *testing.T) {
	audio := loud(16000*35, 0.3)
	audio[16000*9] = 0 // no real gap: any cut must still respect the limit
	cases := []struct {
		name      string
		max       float64
		minChunks int
	}{
		{"10 s", 10, 4},
		{"3.3 s", 3.3, 11},
		{"tiny limit cuts hard", 0.05, 700},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			chunks := asr.SplitLong(audio, c.max)
			limit := int(c.max * 16000)
			total := 0
			for i, ch := range chunks {
				total += len(ch)
				if len(ch) > limit || len(ch) == 0 {
					t.Fatalf("chunk %d has %d samples, limit %d", i, len(ch), limit)
				}
				if i < len(chunks)-1 && len(ch) < limit*3/4-512 {
					t.Errorf("chunk %d has %d samples, cut before the search window", i, len(ch))
				}
			}
			if total != len(audio) || len(chunks) < c.minChunks {
				t.Errorf("%d chunks, %d samples of %d", len(chunks), total, len(audio))
			}
		})
	}
}

func TestSplitLongShortInput(t *testing.T) {
	for _, c := range []struct {
		n   int
		max float64
	}{{0, 10}, {16000, 10}, {160000, 10}, {50000, 0}, {50000, -1}} {
		audio := make([]float32, c.n)
		if chunks := asr.SplitLong(audio, c.max); len(chunks) != 1 || len(chunks[0]) != c.n {
			t.Errorf("n=%d max=%v: %d chunks", c.n, c.max, len(chunks))
		}
	}
}
