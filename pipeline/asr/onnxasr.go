package asr

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"

	"parley/gpu"
	"parley/pipeline/asr/frontend"
)

var (
	// ErrContract indicates an ONNX model (or its tokens or CMVN) that does
	// not match its MODEL_CONTRACTS.md contract; the error names the file,
	// tensor or metadata key, and what was expected.
	ErrContract = errors.New("asr model does not match its contract")
	// ErrTokens indicates a malformed tokens.txt or tokens.json; the error
	// names the file and line.
	ErrTokens = errors.New("malformed tokens file")
)

// sampleRate is the rate the ONNX engines' front end expects.
const sampleRate = 16000

// ModelFiles are the files of one ONNX ASR model directory.
type ModelFiles struct {
	// Dir is the model directory.
	Dir string
	// FP32 is model.onnx ("" when absent).
	FP32 string
	// Int8 is model.int8.onnx ("" when absent).
	Int8 string
	// Tokens is tokens.txt, else tokens.json.
	Tokens string
	// AMMVN is am.mvn ("" when absent; needed when the model has no CMVN
	// metadata).
	AMMVN string
}

// Model returns the graph to load: model.int8.onnx when preferInt8 and it
// exists, else model.onnx, else model.int8.onnx. Use fp32 on CUDA: the int8
// graphs' quantised ops may not run there.
func (f ModelFiles) Model(preferInt8 bool) string {
	if f.Int8 != "" && (preferInt8 || f.FP32 == "") {
		return f.Int8
	}
	return f.FP32
}

// FindModel lists the model files in dir. A missing directory, graph or
// tokens file is an ErrModelMissing error naming what was looked for.
func FindModel(dir string) (ModelFiles, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return ModelFiles{}, fmt.Errorf("model directory %s: %w", dir, ErrModelMissing)
	}
	f := ModelFiles{Dir: dir}
	f.FP32 = existing(dir, "model.onnx")
	f.Int8 = existing(dir, "model.int8.onnx")
	f.Tokens = existing(dir, "tokens.txt")
	if f.Tokens == "" {
		f.Tokens = existing(dir, "tokens.json")
	}
	f.AMMVN = existing(dir, "am.mvn")
	if f.FP32 == "" && f.Int8 == "" {
		return f, fmt.Errorf("%s: %w: neither model.onnx nor model.int8.onnx", dir, ErrModelMissing)
	}
	if f.Tokens == "" {
		return f, fmt.Errorf("%s: %w: neither tokens.txt nor tokens.json", dir, ErrModelMissing)
	}
	return f, nil
}

// existing returns dir/name when it is a regular file, else "".
func existing(dir, name string) string {
	p := filepath.Join(dir, name)
	if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
		return p
	}
	return ""
}

// ModelLoader creates managed models; *gpu.Runtime is one.
type ModelLoader interface {
	// NewModel loads spec.Path on spec.Device.
	NewModel(ctx context.Context, spec gpu.ModelSpec) (*gpu.Model, error)
}

// ModelOptions says where an ONNX engine's model is and what runs it.
type ModelOptions struct {
	// Dir is the model directory (see FindModel).
	Dir string
	// PreferInt8 loads model.int8.onnx when both graphs exist.
	PreferInt8 bool
	// Runner, when set, runs the model; the caller built it from
	// FindModel(Dir).Model(PreferInt8) (e.g. the gpu.Manager's "asr"
	// model) and keeps owning it: Close does not close it.
	Runner gpu.Runner
	// Loader builds the engine's own managed model when Runner is nil; the
	// engine closes it on Close.
	Loader ModelLoader
	// Device is where Loader's model runs: "cpu" (default) or "cuda:N".
	Device string
	// FallbackToCPU retries CUDA failures on the CPU (Loader only).
	FallbackToCPU bool
	// IntraOpThreads overrides the runtime's CPU threads per run (Loader only).
	IntraOpThreads int
}

// onnxCore is what SenseVoice and Paraformer share: files, runner, front
// end, vocabulary. It is immutable after open and safe for concurrent use.
type onnxCore struct {
	name   string
	files  ModelFiles
	file   string // the graph in use, for errors
	runner gpu.Runner
	owned  *gpu.Model
	tokens *Tokens
	fbank  *frontend.Fbank
	lfrM   int
	lfrN   int
	cmvn   frontend.CMVN
	closed atomic.Bool
}

// openCore finds the files, reads the tokens and gets a runner.
func openCore(ctx context.Context, name string, opts ModelOptions) (*onnxCore, error) {
	files, err := FindModel(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c := &onnxCore{name: name, files: files, file: files.Model(opts.PreferInt8)}
	if c.tokens, err = LoadTokens(files.Tokens); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if c.runner, c.owned, err = runnerFor(ctx, name, c.file, opts); err != nil {
		return nil, err
	}
	return c, nil
}

// runnerFor returns opts.Runner, or a model built by opts.Loader.
func runnerFor(ctx context.Context, name, path string, opts ModelOptions) (gpu.Runner, *gpu.Model, error) {
	if opts.Runner != nil {
		return opts.Runner, nil, nil
	}
	if opts.Loader == nil {
		return nil, nil, fmt.Errorf("%s: %w: ModelOptions needs a Runner or a Loader", name, ErrInit)
	}
	dev := opts.Device
	if dev == "" {
		dev = "cpu"
	}
	m, err := opts.Loader.NewModel(ctx, gpu.ModelSpec{
		Name: "asr", Path: path, Device: dev,
		FallbackToCPU: opts.FallbackToCPU, IntraOpThreads: opts.IntraOpThreads,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: load %s: %w", name, path, err)
	}
	return m, m, nil
}

// setFrontEnd builds the fbank; normalized is the model's
// normalize_samples (1: samples stay in [-1, 1]).
func (c *onnxCore) setFrontEnd(m, n int, cmvn frontend.CMVN, normalized bool) error {
	opts := frontend.DefaultFbankOptions()
	if normalized {
		opts.Scale = 1
	}
	fb, err := frontend.NewFbank(opts)
	if err != nil {
		return fmt.Errorf("%s: %w", c.name, err)
	}
	c.fbank, c.lfrM, c.lfrN, c.cmvn = fb, m, n, cmvn
	return nil
}

// failOpen closes what open built and returns err.
func (c *onnxCore) failOpen(err error) error {
	if c.owned != nil {
		_ = c.owned.Close()
	}
	return fmt.Errorf("%s: %w", c.name, err)
}

// newStream is a Stream that buffers audio and recognises it with rec,
// the engine built on c.
func (c *onnxCore) newStream(ctx context.Context, rec batchRecognizer) (Stream, error) {
	if c.closed.Load() {
		return nil, fmt.Errorf("%s: %w", c.name, ErrClosed)
	}
	return &bufferedStream{rec: rec}, ctx.Err()
}

// close marks the core closed and releases an owned model.
func (c *onnxCore) close() error {
	if c.closed.Swap(true) || c.owned == nil {
		return nil
	}
	return c.owned.Close()
}

// featureBatch is the padded model input for the non-empty segments.
type featureBatch struct {
	index   []int     // segment index of each batch item
	lengths []int     // valid frames per item
	frames  int       // padded frame count T
	data    []float32 // [N, T, 560], padding 0.0
}

// features computes LFR+CMVN features for each segment and pads them into
// one batch; segments too short for a frame are left out.
func (c *onnxCore) features(ctx context.Context, segments [][]float32) (featureBatch, error) {
	if c.closed.Load() {
		return featureBatch{}, fmt.Errorf("%s: %w", c.name, ErrClosed)
	}
	var b featureBatch
	feats := make([][][]float32, 0, len(segments))
	for i, s := range segments {
		if err := ctx.Err(); err != nil {
			return b, fmt.Errorf("%s: features: %w", c.name, err)
		}
		f, err := frontend.Features(c.fbank, s, c.lfrM, c.lfrN, c.cmvn)
		if err != nil {
			return b, fmt.Errorf("%s: features: %w", c.name, err)
		}
		if len(f) > 0 {
			feats, b.index, b.lengths = append(feats, f), append(b.index, i), append(b.lengths, len(f))
			b.frames = max(b.frames, len(f))
		}
	}
	b.data = padFeatures(feats, b.frames)
	return b, nil
}

// padFeatures lays feats out as [N, frames, dim], zero-padded.
func padFeatures(feats [][][]float32, frames int) []float32 {
	if len(feats) == 0 {
		return nil
	}
	dim := len(feats[0][0])
	out := make([]float32, len(feats)*frames*dim)
	for n, f := range feats {
		for t, row := range f {
			copy(out[(n*frames+t)*dim:], row)
		}
	}
	return out
}

// featureTensor is the batch as the named [N, T, 560] input.
func (b featureBatch) featureTensor(name string) gpu.Tensor {
	return gpu.Tensor{Name: name, Shape: []int64{int64(len(b.index)), int64(b.frames), featureDim}, Data: b.data}
}

// intTensor is a [len(vals)] tensor of the declared integer type.
func intTensor(name, typ string, vals []int) gpu.Tensor {
	shape := []int64{int64(len(vals))}
	if typ == "int64" {
		d := make([]int64, len(vals))
		for i, v := range vals {
			d[i] = int64(v)
		}
		return gpu.Tensor{Name: name, Shape: shape, Data: d}
	}
	d := make([]int32, len(vals))
	for i, v := range vals {
		d[i] = int32(v)
	}
	return gpu.Tensor{Name: name, Shape: shape, Data: d}
}

// repeat returns n copies of v.
func repeat(v, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// intValues reads an int32 or int64 tensor.
func intValues(t gpu.Tensor) ([]int, error) {
	switch d := t.Data.(type) {
	case []int32:
		out := make([]int, len(d))
		for i, v := range d {
			out[i] = int(v)
		}
		return out, nil
	case []int64:
		out := make([]int, len(d))
		for i, v := range d {
			out[i] = int(v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("tensor %q: want int32 or int64 data, have %T", t.Name, t.Data)
}

// logitsOf checks a [N, T, V] output against the batch and the vocabulary
// and returns its data with T.
func (c *onnxCore) logitsOf(t gpu.Tensor, items int) ([]float32, int, error) {
	data, err := t.Float32()
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %s: %w", c.name, c.file, err)
	}
	if len(t.Shape) != 3 || t.Shape[0] != int64(items) || len(data) != int(t.Elements()) {
		return nil, 0, fmt.Errorf("%s: %s: %w: output %q has shape %v for a batch of %d", c.name, c.file, ErrContract, t.Name, t.Shape, items)
	}
	if v := int(t.Shape[2]); v != c.tokens.Len() {
		return nil, 0, fmt.Errorf("%s: %w: %s has %d tokens, %s output %q has vocabulary dimension %d", c.name, ErrContract, c.tokens.Source, c.tokens.Len(), c.file, t.Name, v)
	}
	return data, int(t.Shape[1]), nil
}

// batchRecognizer recognises a batch of utterances in one model run.
type batchRecognizer interface {
	RecognizeBatch(ctx context.Context, segments [][]float32) ([]string, error)
}

// bufferedStream is the Stream of the ONNX engines: these models are
// offline (whole-utterance), so it buffers audio, Partial re-decodes the
// buffer (the caller throttles it) and Finish decodes it once more.
type bufferedStream struct {
	rec     batchRecognizer
	samples []float32
	done    bool
}

// Accept implements Stream.
func (s *bufferedStream) Accept(ctx context.Context, samples []float32) error {
	if s.done {
		return ErrStreamDone
	}
	s.samples = append(s.samples, samples...)
	return ctx.Err()
}

// Partial implements Stream.
func (s *bufferedStream) Partial(ctx context.Context) (string, error) {
	if s.done {
		return "", ErrStreamDone
	}
	texts, err := s.rec.RecognizeBatch(ctx, [][]float32{s.samples})
	if err != nil {
		return "", err
	}
	return texts[0], nil
}

// Finish implements Stream.
func (s *bufferedStream) Finish(ctx context.Context) (Result, error) {
	if s.done {
		return Result{}, ErrStreamDone
	}
	texts, err := s.rec.RecognizeBatch(ctx, [][]float32{s.samples})
	s.done = true
	if err != nil {
		return Result{}, err
	}
	return Result{Text: texts[0], AudioSeconds: float64(len(s.samples)) / sampleRate}, nil
}

// Close implements Stream.
func (s *bufferedStream) Close() error {
	s.done, s.samples = true, nil
	return nil
}
