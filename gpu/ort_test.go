package gpu

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/internal/testenv"
)

func TestResolveLibrary(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "libonnxruntime.so.1")
	if err := os.WriteFile(lib, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(dir, "cache")
	cached := filepath.Join(cache, "parley", "lib", "libonnxruntime.so.1")
	if err := os.MkdirAll(filepath.Dir(cached), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cached, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name     string
		explicit string
		env      map[string]string
		want     string
		wantErr  []string
	}{
		{"explicit wins", lib, map[string]string{"PARLEY_ORT_LIB": "/nope", "XDG_CACHE_HOME": cache}, lib, nil},
		{"env next", "", map[string]string{"PARLEY_ORT_LIB": lib, "XDG_CACHE_HOME": "/nope"}, lib, nil},
		{"xdg cache", "", map[string]string{"XDG_CACHE_HOME": cache}, cached, nil},
		{"home cache", "", map[string]string{"HOME": dir}, "", []string{filepath.Join(dir, ".cache", "parley", "lib"), "onnx.library", "make setup"}},
		{"missing explicit", "/no/such/lib.so", nil, "", []string{"/no/such/lib.so", "onnx.library", "PARLEY_ORT_LIB", "make setup"}},
		{"missing env", "", map[string]string{"PARLEY_ORT_LIB": "/env/lib.so"}, "", []string{"/env/lib.so (PARLEY_ORT_LIB)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := resolveLibrary(tc.explicit, env(tc.env))
			if tc.wantErr == nil {
				if err != nil || got != tc.want {
					t.Fatalf("got %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if !errors.Is(err, ErrLibraryNotFound) {
				t.Fatalf("err = %v, want ErrLibraryNotFound", err)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestRuntimeInfo(t *testing.T) {
	rt := testRuntime(t)
	info := rt.Info()
	if info.Version == "" || info.LibraryPath == "" {
		t.Fatalf("info = %+v", info)
	}
	if p, ok := info.Provider("CPU"); !ok || !p.Available {
		t.Errorf("CPU provider = %+v, %v", p, ok)
	}
	cuda, ok := info.Provider("CUDA")
	if !ok {
		t.Fatal("CUDA not listed")
	}
	if !cuda.Available && !strings.Contains(cuda.Reason, "Failed to load shared library") {
		t.Errorf("CUDA reason = %q, want ORT's load error", cuda.Reason)
	}
	if wg, _ := info.Provider("WebGPU"); wg.Available || !strings.Contains(wg.Reason, "not probed") {
		t.Errorf("WebGPU = %+v, want not probed", wg)
	}
	t.Logf("ORT %s at %s; CUDA: %+v", info.Version, info.LibraryPath, cuda)
}

func TestRuntimeSharesEnvironment(t *testing.T) {
	rt := testRuntime(t)
	again, err := NewRuntime(context.Background(), RuntimeOptions{LibraryPath: rt.Info().LibraryPath})
	if err != nil {
		t.Fatalf("second runtime: %v", err)
	}
	if again.Info().Version != rt.Info().Version {
		t.Errorf("versions differ")
	}
	other := filepath.Join(t.TempDir(), "other.so")
	if err := os.WriteFile(other, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := NewRuntime(context.Background(), RuntimeOptions{LibraryPath: other}); !errors.Is(err, ErrLibraryMismatch) {
		t.Errorf("other library: err = %v, want ErrLibraryMismatch", err)
	}
}

func TestSessionSilero(t *testing.T) {
	rt := testRuntime(t)
	ctx := context.Background()
	s, err := rt.NewSession(ctx, SessionSpec{Path: testenv.SileroModel(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	info := s.Info()
	if len(info.Inputs) != 3 || info.Inputs[0].Name != "input" || info.Inputs[2].Type != "int64" || info.Outputs[1].Name != "stateN" {
		t.Fatalf("info = %+v", info)
	}
	out, err := s.Run(ctx, sileroFrame(3), []string{"stateN", "output"})
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Name != "stateN" || len(out[0].Data.([]float32)) != 256 || out[1].Shape[1] != 1 {
		t.Fatalf("outputs = %v %v", out[0].Shape, out[1].Shape)
	}
	if p := probability(t, out[1:]); p < 0 || p > 1 {
		t.Errorf("probability %v out of range", p)
	}
}

func TestSessionRunErrors(t *testing.T) {
	rt := testRuntime(t)
	ctx := context.Background()
	path := testenv.SileroModel(t)
	s, err := rt.NewSession(ctx, SessionSpec{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	frame := sileroFrame(0)
	renamed := append([]Tensor{{Name: "audio", Shape: frame[0].Shape, Data: frame[0].Data}}, frame[1:]...)
	short := append([]Tensor{{Name: "input", Shape: []int64{1, 576}, Data: make([]float32, 10)}}, frame[1:]...)
	badType := append([]Tensor{{Name: "input", Shape: []int64{1, 576}, Data: make([]float64, 576)}}, frame[1:]...)
	tests := []struct {
		name    string
		inputs  []Tensor
		outputs []string
		want    error
		mention string
	}{
		{"unknown input", renamed, sileroOutputs(), ErrUnknownInput, `"audio"`},
		{"missing input", frame[1:], sileroOutputs(), ErrMissingInput, `"input"`},
		{"twice", append(frame, frame[0]), sileroOutputs(), ErrTensorData, "twice"},
		{"short data", short, sileroOutputs(), ErrTensorData, "10"},
		{"bad type", badType, sileroOutputs(), ErrTensorData, "float64"},
		{"unknown output", frame, []string{"prob"}, ErrUnknownOutput, `"prob"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Run(ctx, tc.inputs, tc.outputs)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.mention) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v; want %v naming %s and the file", err, tc.want, tc.mention)
			}
		})
	}
}

func TestSessionCancelledContext(t *testing.T) {
	rt := testRuntime(t)
	s, err := rt.NewSession(context.Background(), SessionSpec{Path: testenv.SileroModel(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := s.Run(ctx, sileroFrame(1), sileroOutputs()); err != nil {
		t.Fatalf("run with live ctx: %v", err)
	}
	cancel()
	if _, err := s.Run(ctx, sileroFrame(1), sileroOutputs()); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestCUDAOptions(t *testing.T) {
	kv, err := CUDAOptions{MemLimitBytes: 1 << 30}.providerOptions(CUDA(1))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"device_id": "1", "gpu_mem_limit": "1073741824", "arena_extend_strategy": "kSameAsRequested", "cudnn_conv_algo_search": "DEFAULT"}
	for k, v := range want {
		if kv[k] != v {
			t.Errorf("%s = %q, want %q", k, kv[k], v)
		}
	}
	if kv, _ := (CUDAOptions{ConvAlgoSearch: "heuristic"}).providerOptions(CUDA(0)); kv["cudnn_conv_algo_search"] != "HEURISTIC" || kv["gpu_mem_limit"] != "" {
		t.Errorf("heuristic: %v", kv)
	}
	if _, err := (CUDAOptions{ConvAlgoSearch: "EXHAUSTIVE"}).providerOptions(CUDA(0)); !errors.Is(err, ErrBadOption) {
		t.Errorf("EXHAUSTIVE: err = %v, want ErrBadOption", err)
	}
}

func TestParseDevice(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"cpu", "cpu", true}, {"CPU", "cpu", true}, {"cuda", "cuda:0", true}, {"cuda:1", "cuda:1", true},
		{"cuda:-1", "", false}, {"cuda:x", "", false}, {"gpu", "", false}, {"", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			d, err := ParseDevice(tc.in)
			if tc.ok != (err == nil) || (tc.ok && d.String() != tc.want) {
				t.Fatalf("ParseDevice(%q) = %v, %v", tc.in, d, err)
			}
			if !tc.ok && (!errors.Is(err, ErrBadDevice) || !strings.Contains(err.Error(), `"`+tc.in+`"`)) {
				t.Errorf("error %v does not name %q", err, tc.in)
			}
		})
	}
}
