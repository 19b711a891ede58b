package frontend_test

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"parley/internal/testenv"
	"parley/pipeline/asr/frontend"
)

// The reference files come from scripts/reference/fbank_reference.py
// (torchaudio.compliance.kaldi.fbank, FunASR's LFR and a synthetic CMVN).
// Measured differences are about 2e-4 on the fbank: torchaudio builds its
// mel filters in float32 whatever the input dtype, while this package uses
// float64 throughout; with torchaudio's own filter weights a float64 NumPy
// re-implementation matches it to 1e-6.
const refTolerance = 1e-3

// referenceCases mirror CASES in scripts/reference/fbank_reference.py.
var referenceCases = []struct {
	name, audio string
	highFreq    float64
	snipEdges   bool
}{
	{"goforward", "goforward.raw", 8000, true},
	{"goforward-nosnip", "goforward.raw", 8000, false},
	{"librivox-0880", "librivox/sense_and_sensibility_01_austen_64kb-0880.wav", 0, true},
}

func TestMatchesTorchaudio(t *testing.T) {
	cmvn, err := frontend.ReadAMMVN(filepath.Join("testdata", "cmvn560.am.mvn"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range referenceCases {
		t.Run(tc.name, func(t *testing.T) {
			samples := readPCM16(t, testenv.TestData(t, tc.audio))
			opts := frontend.DefaultFbankOptions()
			opts.HighFreq, opts.SnipEdges = tc.highFreq, tc.snipEdges
			fb, err := frontend.NewFbank(opts)
			if err != nil {
				t.Fatal(err)
			}
			d := maxAbsDiff(t, fb.Compute(samples), readF32(t, tc.name+".fbank.f32"))
			t.Logf("fbank: max abs diff %.3g", d)
			feats, err := frontend.Features(fb, samples, 7, 6, cmvn)
			if err != nil {
				t.Fatal(err)
			}
			d = maxAbsDiff(t, feats, readF32(t, tc.name+".features.f32"))
			t.Logf("fbank+LFR+CMVN: max abs diff %.3g", d)
		})
	}
}

// maxAbsDiff fails unless got and want have the same shape and agree within
// refTolerance, and returns the largest difference.
func maxAbsDiff(t *testing.T, got, want [][]float32) float64 {
	t.Helper()
	return diffWithin(t, got, want, refTolerance)
}

// diffWithin fails unless got and want have the same shape and agree within
// tolerance, and returns the largest difference.
func diffWithin(t *testing.T, got, want [][]float32, tolerance float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d frames, want %d", len(got), len(want))
	}
	var worst float64
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("frame %d: got %d values, want %d", i, len(got[i]), len(want[i]))
		}
		for j := range want[i] {
			d := math.Abs(float64(got[i][j]) - float64(want[i][j]))
			if !(d <= tolerance) {
				t.Fatalf("frame %d value %d: got %g, want %g (diff %.3g > %g)", i, j, got[i][j], want[i][j], d, tolerance)
			}
			worst = max(worst, d)
		}
	}
	return worst
}

// readF32 reads a testdata matrix: uint32 rows, uint32 cols, float32 data,
// little-endian.
func readF32(t testing.TB, name string) [][]float32 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 8 {
		t.Fatalf("%s: short header", name)
	}
	rows, cols := int(binary.LittleEndian.Uint32(b)), int(binary.LittleEndian.Uint32(b[4:]))
	if len(b) != 8+4*rows*cols {
		t.Fatalf("%s: %d bytes for %dx%d", name, len(b), rows, cols)
	}
	m := make([][]float32, rows)
	for i := range m {
		m[i] = make([]float32, cols)
		for j := range m[i] {
			m[i][j] = math.Float32frombits(binary.LittleEndian.Uint32(b[8+4*(i*cols+j):]))
		}
	}
	return m
}

// readPCM16 reads 16 kHz mono s16le audio, raw or in a canonical WAV, as
// samples in [-1, 1).
func readPCM16(t testing.TB, path string) []float32 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Ext(path) == ".wav" {
		b = wavData(t, path, b)
	}
	s := make([]float32, len(b)/2)
	for i := range s {
		s[i] = float32(int16(binary.LittleEndian.Uint16(b[2*i:]))) / 32768
	}
	return s
}

// wavData checks the fmt chunk (PCM, mono, 16 kHz, 16 bit) and returns the
// data chunk.
func wavData(t testing.TB, path string, b []byte) []byte {
	t.Helper()
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		t.Fatalf("%s: not a WAV file", path)
	}
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:]))
		body := b[p+8 : min(p+8+size, len(b))]
		switch {
		case id == "fmt " && (len(body) < 16 || binary.LittleEndian.Uint16(body) != 1 ||
			binary.LittleEndian.Uint16(body[2:]) != 1 || binary.LittleEndian.Uint32(body[4:]) != 16000 ||
			binary.LittleEndian.Uint16(body[14:]) != 16):
			t.Fatalf("%s: want PCM mono 16 kHz 16-bit", path)
		case id == "data":
			return body
		}
		p += 8 + size + size%2
	}
	t.Fatalf("%s: no data chunk", path)
	return nil
}
