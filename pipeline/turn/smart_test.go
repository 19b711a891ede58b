package turn

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/gpu"
	"parley/internal/testenv"
)

// loadModel loads an ONNX file on the CPU through the gpu package, as
// parley does.
func loadModel(t testing.TB, path string, threads int) *gpu.Model {
	t.Helper()
	ctx := context.Background()
	rt, err := gpu.NewRuntime(ctx, gpu.RuntimeOptions{LibraryPath: testenv.ORTLibrary(t), IntraOpThreads: threads, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	m, err := rt.NewModel(ctx, gpu.ModelSpec{Name: "turn", Path: path, Device: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

// TestSmartTurnOnContractModel runs the detector on the generated model of
// scripts/models/smart_turn_models.py, whose rule is: complete when the last
// 0.4 s are quieter than the whole 8 s window.
func TestSmartTurnOnContractModel(t *testing.T) {
	m := loadModel(t, filepath.Join("testdata", "smart-turn-contract.onnx"), 1)
	opts := DefaultOptions()
	d, err := NewSmartTurn(context.Background(), m, opts)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name() != "smart-turn" || !d.Once() {
		t.Errorf("Name %q, Once %v", d.Name(), d.Once())
	}
	ms := time.Millisecond
	tests := []struct {
		name    string
		in      Input
		verdict Verdict
		after   time.Duration
	}{
		{"ends in silence, early", Input{Audio: speechThen(3*time.Second, 600*ms, -20, 0), Silence: 160 * ms}, Wait, opts.MinSilence},
		{"ends in silence, late", Input{Audio: speechThen(3*time.Second, 600*ms, -20, 0), Silence: 600 * ms}, Confirm, 0},
		{"loud to the end", Input{Audio: speechThen(9*time.Second, 0, -20, 0), Silence: 160 * ms}, NotYet, opts.MaxSilence},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := d.Decide(context.Background(), tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Verdict != tt.verdict || got.After != tt.after || !strings.Contains(got.Reason, "smart-turn") {
				t.Errorf("Decide = %+v, want %s after %s", got, tt.verdict, tt.after)
			}
		})
	}
}

// TestSmartTurnRefusesOtherContracts loads a model reading 128 mel bins and
// expects the load to fail naming the input.
func TestSmartTurnRefusesOtherContracts(t *testing.T) {
	m := loadModel(t, filepath.Join("testdata", "smart-turn-badshape.onnx"), 1)
	_, err := NewSmartTurn(context.Background(), m, DefaultOptions())
	if !errors.Is(err, ErrContract) || !strings.Contains(err.Error(), `input "input_features"`) {
		t.Fatalf("NewSmartTurn = %v, want ErrContract naming input_features", err)
	}
}

func TestCheckSmartTurn(t *testing.T) {
	in := func(name, typ string, shape ...int64) gpu.TensorInfo {
		return gpu.TensorInfo{Name: name, Type: typ, Shape: shape}
	}
	good := in("input_features", "float32", -1, 80, 800)
	out := in("logits", "float32", -1, 1)
	tests := []struct {
		name string
		info gpu.ModelInfo
		want string // "" for no error, else a part of it
	}{
		{"contract", gpu.ModelInfo{Inputs: []gpu.TensorInfo{good}, Outputs: []gpu.TensorInfo{out}}, ""},
		{"fixed batch", gpu.ModelInfo{Inputs: []gpu.TensorInfo{in("input_features", "float32", 1, 80, 800)}, Outputs: []gpu.TensorInfo{in("logits", "float32", 1, 1)}}, ""},
		{"dynamic frames", gpu.ModelInfo{Inputs: []gpu.TensorInfo{in("input_features", "float32", -1, 80, -1)}, Outputs: []gpu.TensorInfo{out}}, ""},
		{"renamed input", gpu.ModelInfo{Inputs: []gpu.TensorInfo{in("mel", "float32", -1, 80, 800)}, Outputs: []gpu.TensorInfo{out}}, `no input "input_features" (have mel)`},
		{"30 s window", gpu.ModelInfo{Inputs: []gpu.TensorInfo{in("input_features", "float32", -1, 80, 3000)}, Outputs: []gpu.TensorInfo{out}}, "want float32 [N, 80, 800]"},
		{"float16", gpu.ModelInfo{Inputs: []gpu.TensorInfo{in("input_features", "float16", -1, 80, 800)}, Outputs: []gpu.TensorInfo{out}}, "is float16"},
		{"two classes", gpu.ModelInfo{Inputs: []gpu.TensorInfo{good}, Outputs: []gpu.TensorInfo{in("logits", "float32", -1, 2)}}, `output "logits"`},
		{"extra input", gpu.ModelInfo{Inputs: []gpu.TensorInfo{good, in("attention_mask", "int64", -1, 800)}, Outputs: []gpu.TensorInfo{out}}, "2 inputs (want 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckSmartTurn(tt.info)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckSmartTurn = %v, want nil", err)
			case tt.want != "" && (!errors.Is(err, ErrContract) || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("CheckSmartTurn = %v, want ErrContract with %q", err, tt.want)
			}
		})
	}
}

// badRunner returns a fixed output, to check that Probability refuses
// values that are no probability.
type badRunner struct{ out gpu.Tensor }

func (r badRunner) Run(context.Context, []gpu.Tensor, []string) ([]gpu.Tensor, error) {
	return []gpu.Tensor{r.out}, nil
}

func (r badRunner) Info() gpu.ModelInfo {
	return gpu.ModelInfo{
		Inputs:  []gpu.TensorInfo{{Name: "input_features", Type: "float32", Shape: []int64{-1, 80, 800}}},
		Outputs: []gpu.TensorInfo{{Name: "logits", Type: "float32", Shape: []int64{-1, 1}}},
	}
}

func TestSmartTurnRefusesBadOutputs(t *testing.T) {
	for _, v := range [][]float32{{1.5}, {-0.1}, {float32(math.NaN())}, {0.2, 0.8}, {}} {
		r := badRunner{out: gpu.Tensor{Name: "logits", Shape: []int64{1, int64(len(v))}, Data: v}}
		if _, err := NewSmartTurn(context.Background(), r, DefaultOptions()); !errors.Is(err, ErrOutput) {
			t.Errorf("output %v: NewSmartTurn = %v, want ErrOutput", v, err)
		}
	}
}

// BenchmarkSmartTurnFeatures measures the front end alone (8 s window).
func BenchmarkSmartTurnFeatures(b *testing.B) {
	m := mustMelSpec(b)
	audio := speechThen(6*time.Second, 200*time.Millisecond, -20, 10)
	for b.Loop() {
		m.features(audio)
	}
}

// BenchmarkSmartTurnDecide measures one decision (features + model run) on
// the timing double of Smart Turn v3 (scripts/models/smart_turn_models.py
// --sized; PARLEY_SMART_TURN_SIZED names it), with 1 and 2 intra-op threads.
func BenchmarkSmartTurnDecide(b *testing.B) {
	path := os.Getenv("PARLEY_SMART_TURN_SIZED")
	if path == "" {
		b.Skip("PARLEY_SMART_TURN_SIZED not set (see scripts/models/smart_turn_models.py --sized)")
	}
	for _, threads := range []int{1, 2} {
		b.Run(map[int]string{1: "threads=1", 2: "threads=2"}[threads], func(b *testing.B) {
			d, err := NewSmartTurn(context.Background(), loadModel(b, path, threads), DefaultOptions())
			if err != nil {
				b.Fatal(err)
			}
			in := Input{Audio: speechThen(6*time.Second, 200*time.Millisecond, -20, 10), Silence: 200 * time.Millisecond}
			for b.Loop() {
				if _, err := d.Decide(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
