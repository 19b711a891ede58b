package gpu

import (
	"context"
	"fmt"
	"strings"

	ort "github.com/yalue/onnxruntime_go"
)

// Run implements Runner. Inputs may come in any order but must name every
// declared input exactly once; outputs come back in the order of
// outputNames. ORT values are created for the call and destroyed before it
// returns. A run that fails on a GPU is a DeviceError wrapping ErrGPURun.
func (s *ortSession) Run(ctx context.Context, inputs []Tensor, outputNames []string) ([]Tensor, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("run %s: %w", s.path, err)
	}
	in, err := s.inputValues(inputs)
	if err != nil {
		return nil, err
	}
	defer destroyValues(in)
	pickOut, err := s.outputIndexes(outputNames)
	if err != nil {
		return nil, err
	}
	out := make([]ort.Value, len(s.info.Outputs))
	defer destroyValues(out)
	if err := s.runValues(ctx, in, out); err != nil {
		return nil, err
	}
	return s.tensors(out, pickOut, outputNames)
}

// inputValues validates inputs against the declared inputs and returns ORT
// values in declaration order.
func (s *ortSession) inputValues(inputs []Tensor) ([]ort.Value, error) {
	vals := make([]ort.Value, len(s.info.Inputs))
	for _, t := range inputs {
		i, ok := s.inputIdx[t.Name]
		if !ok {
			destroyValues(vals)
			return nil, fmt.Errorf("model %s: %w %q (declared: %s)", s.path, ErrUnknownInput, t.Name, strings.Join(names(s.info.Inputs), ", "))
		}
		v, err := toValue(t)
		if err != nil || vals[i] != nil {
			destroyValues(append(vals, v))
			return nil, inputError(s.path, t.Name, err)
		}
		vals[i] = v
	}
	for i, v := range vals {
		if v == nil {
			destroyValues(vals)
			return nil, fmt.Errorf("model %s: %w %q", s.path, ErrMissingInput, s.info.Inputs[i].Name)
		}
	}
	return vals, nil
}

// inputError explains why input name could not become an ORT value: bad
// data (err) or, when err is nil, a name given twice.
func inputError(path, name string, err error) error {
	if err != nil {
		return fmt.Errorf("model %s: input %q: %w", path, name, err)
	}
	return fmt.Errorf("model %s: input %q given twice: %w", path, name, ErrTensorData)
}

// outputIndexes maps each requested output to its declared position.
func (s *ortSession) outputIndexes(outputNames []string) ([]int, error) {
	idx := make([]int, len(outputNames))
	for i, n := range outputNames {
		j, ok := s.outputIdx[n]
		if !ok {
			return nil, fmt.Errorf("model %s: %w %q (declared: %s)", s.path, ErrUnknownOutput, n, strings.Join(names(s.info.Outputs), ", "))
		}
		idx[i] = j
	}
	return idx, nil
}

// runValues runs the session; ctx cancellation terminates the ORT run.
func (s *ortSession) runValues(ctx context.Context, in, out []ort.Value) error {
	var err error
	if ctx.Done() == nil {
		err = s.sess.Run(in, out)
	} else {
		err = s.runCancellable(ctx, in, out)
	}
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("run %s on %s: %w", s.path, s.device, ctx.Err())
	}
	if s.device.CUDA {
		return &DeviceError{Op: "run", Path: s.path, Device: s.device, Reason: ortMessage(err), Err: ErrGPURun}
	}
	return fmt.Errorf("run %s on %s: %w", s.path, s.device, err)
}

// runCancellable runs with RunOptions that ctx's cancellation terminates.
// It waits for a terminate already under way before destroying the options.
func (s *ortSession) runCancellable(ctx context.Context, in, out []ort.Value) error {
	opts, err := ort.NewRunOptions()
	if err != nil {
		return fmt.Errorf("run %s: run options: %w", s.path, err)
	}
	defer opts.Destroy()
	done := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(done)
		_ = opts.Terminate()
	})
	err = s.sess.RunWithOptions(in, out, opts)
	if !stop() {
		<-done
	}
	return err
}

// tensors converts the picked ORT outputs back to Tensors.
func (s *ortSession) tensors(out []ort.Value, pick []int, outputNames []string) ([]Tensor, error) {
	res := make([]Tensor, len(pick))
	for i, j := range pick {
		t, err := fromValue(outputNames[i], out[j])
		if err != nil {
			return nil, fmt.Errorf("model %s: output %q: %w", s.path, outputNames[i], err)
		}
		res[i] = t
	}
	return res, nil
}

// toValue makes an ORT tensor over t's data (no copy).
func toValue(t Tensor) (ort.Value, error) {
	shape := ort.NewShape(t.Shape...)
	switch d := t.Data.(type) {
	case []float32:
		return newValue(shape, d)
	case []int64:
		return newValue(shape, d)
	case []int32:
		return newValue(shape, d)
	}
	return nil, fmt.Errorf("%w: type %T (want []float32, []int64 or []int32)", ErrTensorData, t.Data)
}

// newValue checks that len(data) matches shape, then wraps it.
func newValue[T ort.TensorData](shape ort.Shape, data []T) (ort.Value, error) {
	if n := shape.FlattenedSize(); int64(len(data)) != n {
		return nil, fmt.Errorf("%w: shape %v holds %d elements, data has %d", ErrTensorData, []int64(shape), n, len(data))
	}
	v, err := ort.NewTensor(shape, data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTensorData, err)
	}
	return v, nil
}

// fromValue converts an ORT output. The data slice is Go memory that
// onnxruntime_go copied out of ORT, so it stays valid after Destroy.
func fromValue(name string, v ort.Value) (Tensor, error) {
	t := Tensor{Name: name, Shape: append([]int64(nil), v.GetShape()...)}
	switch x := v.(type) {
	case *ort.Tensor[float32]:
		t.Data = x.GetData()
	case *ort.Tensor[int64]:
		t.Data = x.GetData()
	case *ort.Tensor[int32]:
		t.Data = x.GetData()
	default:
		return Tensor{}, fmt.Errorf("%w: unsupported output type %T", ErrTensorData, v)
	}
	return t, nil
}

// destroyValues releases every non-nil value.
func destroyValues(vals []ort.Value) {
	for _, v := range vals {
		if v != nil {
			_ = v.Destroy()
		}
	}
}
