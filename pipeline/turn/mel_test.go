package turn

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/internal/testenv"
)

// TestFeaturesMatchReference compares the features with the torch and
// torchaudio reference of scripts/reference/smart_turn_features.py on real
// speech: a clip shorter than 8 s (zero-padded in front) and one longer
// (only its last 8 s count).
func TestFeaturesMatchReference(t *testing.T) {
	librivox := func(i int) string {
		return testenv.TestData(t, fmt.Sprintf("librivox/sense_and_sensibility_01_austen_64kb-%04d.wav", i))
	}
	cases := []struct {
		name  string
		files []string
	}{
		{"goforward", []string{testenv.TestData(t, "goforward.raw")}},
		{"librivox-long", []string{librivox(870), librivox(880), librivox(890)}},
	}
	m := mustMelSpec(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var audio []float32
			for _, f := range c.files {
				audio = append(audio, readPCM16(t, f)...)
			}
			got := m.features(audio)
			rows, stride, want := readReference(t, filepath.Join("testdata", c.name+".feat.f32"))
			var worst float64
			for r := range rows {
				frame := r * stride
				for b := range melBins {
					d := math.Abs(float64(got[b*melFrames+frame] - want[r*melBins+b]))
					worst = max(worst, d)
				}
			}
			t.Logf("max abs difference over %d frames: %.2g", rows, worst)
			if worst > 1e-4 {
				t.Errorf("features differ from the reference by up to %.3g (> 1e-4)", worst)
			}
		})
	}
}

// TestFeaturesShortAndSilent checks the shapes and values the model relies
// on without reference data: silence gives finite, constant features, and
// the output always has 80 x 800 values.
func TestFeaturesShortAndSilent(t *testing.T) {
	m := mustMelSpec(t)
	for _, n := range []int{0, 1, 400, melSamples, 2 * melSamples} {
		f := m.features(make([]float32, n))
		if len(f) != melBins*melFrames {
			t.Fatalf("%d samples: %d values, want %d", n, len(f), melBins*melFrames)
		}
		for _, v := range f {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) || v != f[0] {
				t.Fatalf("%d samples of silence: value %v (first %v); want one finite value", n, v, f[0])
			}
		}
	}
}

// readPCM16 reads 16-bit mono samples from a raw file or a WAV's data chunk.
func readPCM16(t *testing.T, path string) []float32 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".wav") {
		i := bytes.Index(data, []byte("data"))
		if i < 0 {
			t.Fatalf("%s: no data chunk", path)
		}
		data = data[i+8:]
	}
	out := make([]float32, len(data)/2)
	for i := range out {
		out[i] = float32(int16(binary.LittleEndian.Uint16(data[2*i:]))) / 32768
	}
	return out
}

// readReference reads a .feat.f32 file: rows, stride, then rows x 80 values.
func readReference(t *testing.T, path string) (rows, stride int, vals []float32) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, stride = int(binary.LittleEndian.Uint32(data)), int(binary.LittleEndian.Uint32(data[4:]))
	vals = make([]float32, rows*melBins)
	if len(data) != 8+4*len(vals) {
		t.Fatalf("%s: %d bytes for %d rows", path, len(data), rows)
	}
	for i := range vals {
		vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[8+4*i:]))
	}
	return rows, stride, vals
}

func mustMelSpec(t testing.TB) *melSpec {
	t.Helper()
	m, err := newMelSpec()
	if err != nil {
		t.Fatal(err)
	}
	return m
}
