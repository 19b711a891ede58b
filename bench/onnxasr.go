package bench

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"

	"parley/gpu"
	"parley/pipeline/asr"
)

// ONNXASRTarget is the SenseVoice or Paraformer model in dir on device,
// timed at each batch size and parallelism. The fp32 graph is used where
// there is one, on every device, so that outputs can be compared. Its rows
// are named after the folder (e.g. "sensevoice-small-int8").
func ONNXASRTarget(l ModelLoader, dir, device string, batches, parallels []int) Target {
	return asrDirTarget(l, dir, device, batches, parallels, openONNXASR)
}

// asrDirTarget is the ASR model in dir on device, opened by open, timed at
// each batch size and parallelism, its rows named after the folder.
func asrDirTarget(l ModelLoader, dir, device string, batches, parallels []int,
	open func(ctx context.Context, l ModelLoader, dir, device string) (Loaded, error)) Target {
	return Target{Model: filepath.Base(filepath.Clean(dir)), Kind: KindASR, Device: device, Batches: batches,
		Parallels: parallels, Open: func(ctx context.Context) (Loaded, error) {
			return open(ctx, l, dir, device)
		}}
}

func openONNXASR(ctx context.Context, l ModelLoader, dir, device string) (Loaded, error) {
	files, err := asr.FindModel(dir)
	if err != nil {
		return Loaded{}, fmt.Errorf("asr model: %w", err)
	}
	m, err := loadModel(ctx, l, "asr", files.Model(false), device, 0)
	if err != nil {
		return Loaded{}, err
	}
	rec := &recorder{Model: m}
	eng, err := newONNXEngine(ctx, dir, rec)
	if err != nil {
		_ = m.Close()
		return Loaded{}, err
	}
	return modelLoaded(m, batchRun(eng), eng.Close), nil
}

// onnxEngine is what both ONNX recognisers offer.
type onnxEngine interface {
	asr.BatchRecognizer
	Close() error
}

// newONNXEngine tries SenseVoice, then Paraformer: the contract checks
// tell them apart.
func newONNXEngine(ctx context.Context, dir string, r gpu.Runner) (onnxEngine, error) {
	opts := asr.ModelOptions{Dir: dir, Runner: r}
	sv, errSV := asr.NewSenseVoice(ctx, asr.SenseVoiceOptions{ModelOptions: opts})
	if errSV == nil {
		return sv, nil
	}
	pf, errPF := asr.NewParaformer(ctx, asr.ParaformerOptions{ModelOptions: opts})
	if errPF == nil {
		return pf, nil
	}
	return nil, fmt.Errorf("asr model %s is neither SenseVoice nor Paraformer: %w", dir, errors.Join(errSV, errPF))
}

// batchRun recognises a batch in one model run. While recording, a batch
// of one also returns the model's logits.
func batchRun(e onnxEngine) RunFunc {
	return func(ctx context.Context, batch []Input) ([]Output, error) {
		segs := make([][]float32, len(batch))
		for i, in := range batch {
			segs[i] = in.Samples
		}
		var slot *logitSlot
		if Recording(ctx) && len(batch) == 1 {
			slot = &logitSlot{}
			ctx = context.WithValue(ctx, logitKey{}, slot)
		}
		texts, err := e.RecognizeBatch(ctx, segs)
		if err != nil {
			return nil, fmt.Errorf("recognise %s: %w", batch[0].ID, err)
		}
		outs := make([]Output, len(batch))
		for i, t := range texts {
			outs[i].Text = t
		}
		if slot != nil && len(outs) == 1 {
			outs[0].Values = slot.get()
		}
		return outs, nil
	}
}

// logitKey carries a *logitSlot in a run's context.
type logitKey struct{}

// logitSlot receives a copy of a run's first float output.
type logitSlot struct {
	mu     sync.Mutex
	values []float32
}

func (s *logitSlot) get() []float32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.values
}

// recorder is a gpu.Runner that copies the first float32 output (the
// logits) into the run's logitSlot, when its context carries one.
type recorder struct {
	*gpu.Model
}

// Run implements gpu.Runner.
func (r *recorder) Run(ctx context.Context, inputs []gpu.Tensor, names []string) ([]gpu.Tensor, error) {
	out, err := r.Model.Run(ctx, inputs, names)
	slot, ok := ctx.Value(logitKey{}).(*logitSlot)
	if err != nil || !ok {
		return out, err // the model's own error, passed through
	}
	for _, t := range out {
		if v, err := t.Float32(); err == nil {
			slot.mu.Lock()
			slot.values = slices.Clone(v)
			slot.mu.Unlock()
			break
		}
	}
	return out, nil
}
