package gpu

import (
	"context"
	"math"
	"testing"

	"parley/internal/testenv"
)

// testRuntime returns a Runtime over the real ONNX Runtime library (skips
// or fails through testenv when it is missing).
func testRuntime(t testing.TB) *Runtime {
	t.Helper()
	lib := testenv.ORTLibrary(t)
	rt, err := NewRuntime(context.Background(), RuntimeOptions{LibraryPath: lib, IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatalf("NewRuntime: %v", err)
	}
	return rt
}

// sileroFrame returns deterministic Silero VAD v5 inputs for frame i: a
// 576-sample chunk (a tone whose pitch and level depend on i), a zero state
// and sr = 16000.
func sileroFrame(i int) []Tensor {
	x := make([]float32, 576)
	f := 100 + 37*float64(i%23)
	amp := 0.05 + 0.4*float64(i%7)/7
	for n := range x {
		x[n] = float32(amp * math.Sin(2*math.Pi*f*float64(n+i)/16000))
	}
	return []Tensor{
		{Name: "input", Shape: []int64{1, 576}, Data: x},
		{Name: "state", Shape: []int64{2, 1, 128}, Data: make([]float32, 256)},
		{Name: "sr", Shape: []int64{1}, Data: []int64{16000}},
	}
}

// sileroOutputs are the outputs the tests ask for.
func sileroOutputs() []string { return []string{"output", "stateN"} }

// probability returns the speech probability from Silero outputs.
func probability(t testing.TB, out []Tensor) float32 {
	t.Helper()
	p, err := out[0].Float32()
	if err != nil || len(p) != 1 {
		t.Fatalf("output: %v (len %d)", err, len(p))
	}
	return p[0]
}

// sameOutputs reports whether two output lists are bit-identical.
func sameOutputs(a, b []Tensor) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, errX := a[i].Float32()
		y, errY := b[i].Float32()
		if errX != nil || errY != nil || len(x) != len(y) {
			return false
		}
		for j := range x {
			if math.Float32bits(x[j]) != math.Float32bits(y[j]) {
				return false
			}
		}
	}
	return true
}
