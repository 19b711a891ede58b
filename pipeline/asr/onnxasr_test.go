package asr_test

import (
	"context"
	"errors"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"parley/gpu"
	"parley/internal/testenv"
	"parley/pipeline/asr"
)

// testModels holds the tiny contract models built by
// scripts/models/export_asr_models.py. They do not recognise speech: tone k
// (toneHz[k]) spells piece k of svPieces / pfPieces (see asr_testmodels.py).
const testModels = "testdata/asr"

// toneHz is scripts/models/asr_vocab.py's TONE_HZ: the centres of Kaldi mel
// bins 22, 30, 38, 46, 54, 62, 70 and 76.
var toneHz = [8]float64{761, 1169, 1690, 2357, 3210, 4301, 5696, 6993}

// svPieces and pfPieces are the pieces the tones spell (asr_vocab.py).
var (
	svPieces = [8]string{"\u2581hello", "\u2581wor", "ld", "\u2581parley", "你", "好", "世", "界"}
	pfPieces = [8]string{"hello", "wor@@", "ld", "parley", "你", "好", "世", "界"}
)

// tonesText is what tones.wav (tones 4 5 0 1 2 3) spells for both models.
const tonesText = "你好 hello world parley"

// toneAudio renders tones seq as export_asr_models.py does: 0.2 s of
// silence, 0.24 s tones with 5 ms ramps at amplitude 0.3 and 0.15 s pauses,
// 0.2 s of silence, over faint noise.
func toneAudio(seq []int, seed uint64) []float32 {
	return tonesAt(toneHz[:], seq, seed)
}

// tonesAt is toneAudio with tone k at hz[k].
func tonesAt(hz []float64, seq []int, seed uint64) []float32 {
	const rate, amp = 16000, 0.3
	rng := rand.New(rand.NewPCG(seed, 1))
	n, gap, edge, ramp := 3840, 2400, 3200, 80.0
	out := make([]float32, 0, 2*edge+len(seq)*(n+gap))
	out = append(out, make([]float32, edge)...)
	for _, k := range seq {
		for i := range n {
			r := math.Min(1, math.Min(float64(i), float64(n-1-i))/ramp)
			out = append(out, float32(amp*r*math.Sin(2*math.Pi*hz[k]*float64(i)/rate)))
		}
		out = append(out, make([]float32, gap)...)
	}
	out = append(out, make([]float32, edge)...)
	for i := range out {
		out[i] += float32(rng.Float64()*2e-4 - 1e-4)
	}
	return out
}

// svText and pfText are the texts the two models give for tones seq.
func svText(seq []int) string {
	p := make([]string, len(seq))
	for i, k := range seq {
		p[i] = svPieces[k]
	}
	text, _ := asr.SentencePieceText(p)
	return text
}

func pfText(seq []int) string {
	p := make([]string, len(seq))
	for i, k := range seq {
		p[i] = pfPieces[k]
	}
	return asr.JoinTokens(p)
}

// newRuntime loads ONNX Runtime (skipping without it) with one thread per run.
func newRuntime(t testing.TB) *gpu.Runtime {
	t.Helper()
	rt, err := gpu.NewRuntime(context.Background(), gpu.RuntimeOptions{LibraryPath: testenv.ORTLibrary(t), IntraOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// loaderOpts loads dir through the runtime on the CPU.
func loaderOpts(t testing.TB, dir string) asr.ModelOptions {
	return asr.ModelOptions{Dir: dir, Loader: newRuntime(t)}
}

// newModel loads dir's graph as a managed CPU model closed at cleanup.
func newModel(t testing.TB, dir string) *gpu.Model {
	t.Helper()
	files, err := asr.FindModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := newRuntime(t).NewModel(context.Background(), gpu.ModelSpec{Name: "asr", Path: files.Model(false), Device: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// editedRunner runs the real model but reports an edited ModelInfo, to
// show what load-time validation says about a model that breaks its
// contract.
type editedRunner struct {
	gpu.Runner
	edit func(*gpu.ModelInfo)
}

// Info implements gpu.Runner.
func (r editedRunner) Info() gpu.ModelInfo {
	in := r.Runner.Info()
	out := gpu.ModelInfo{
		Inputs:   slices.Clone(in.Inputs),
		Outputs:  slices.Clone(in.Outputs),
		Metadata: maps.Clone(in.Metadata),
	}
	r.edit(&out)
	return out
}

// renameTensor renames one declared tensor.
func renameTensor(infos []gpu.TensorInfo, from, to string) {
	for i := range infos {
		if infos[i].Name == from {
			infos[i].Name = to
		}
	}
}

// copyDir copies a model directory into a temp dir, leaving out skip.
func copyDir(t testing.TB, src string, skip ...string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if slices.Contains(skip, e.Name()) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// dropLastLine rewrites a text file without its last line.
func dropLastLine(t testing.TB, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimRight(string(b), "\n"), "\n")
	if err := os.WriteFile(path, []byte(strings.Join(lines[:len(lines)-1], "")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// wantErr fails unless err wraps target and mentions every fragment.
func wantErr(t *testing.T, err, target error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want %v mentioning %q", target, fragments)
	}
	t.Logf("error: %v", err)
	if target != nil && !errors.Is(err, target) {
		t.Errorf("error %q does not wrap %q", err, target)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err, f)
		}
	}
}

func TestFindModel(t *testing.T) {
	files, err := asr.FindModel(filepath.Join(testModels, "sensevoice-funasr"))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(files.Model(true)) != "model.onnx" || filepath.Base(files.Tokens) != "tokens.json" || files.AMMVN == "" {
		t.Errorf("FindModel = %+v", files)
	}
	_, err = asr.FindModel(filepath.Join(t.TempDir(), "nope"))
	wantErr(t, err, asr.ErrModelMissing, "nope")
	_, err = asr.FindModel(copyDir(t, filepath.Join(testModels, "sensevoice"), "model.onnx"))
	wantErr(t, err, asr.ErrModelMissing, "model.onnx", "model.int8.onnx")
	_, err = asr.FindModel(copyDir(t, filepath.Join(testModels, "sensevoice"), "tokens.txt"))
	wantErr(t, err, asr.ErrModelMissing, "tokens.txt", "tokens.json")
}

func TestModelFilesPrefersInt8OnlyWhenAsked(t *testing.T) {
	f := asr.ModelFiles{FP32: "a/model.onnx", Int8: "a/model.int8.onnx"}
	if f.Model(false) != f.FP32 || f.Model(true) != f.Int8 {
		t.Errorf("Model(false)=%s Model(true)=%s", f.Model(false), f.Model(true))
	}
	if only := (asr.ModelFiles{Int8: "x.int8.onnx"}); only.Model(false) != only.Int8 {
		t.Errorf("int8-only dir: Model(false) = %q", only.Model(false))
	}
}
