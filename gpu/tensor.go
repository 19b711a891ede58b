package gpu

import (
	"context"
	"fmt"
)

// Tensor is a named, dense tensor passed to or returned from a Session.
// Data holds exactly one of []float32, []int64 or []int32, in row-major
// order, with len(Data) equal to the product of Shape.
type Tensor struct {
	// Name is the graph input or output name, e.g. "input" or "logits".
	Name string
	// Shape is the tensor shape; every dimension is concrete.
	Shape []int64
	// Data is []float32, []int64 or []int32.
	Data any
}

// Float32 returns the tensor data as []float32, or an error naming the
// tensor when it holds another type.
func (t Tensor) Float32() ([]float32, error) {
	v, ok := t.Data.([]float32)
	if !ok {
		return nil, fmt.Errorf("tensor %q: want float32 data, have %T", t.Name, t.Data)
	}
	return v, nil
}

// Elements returns the number of elements the shape describes.
func (t Tensor) Elements() int64 {
	n := int64(1)
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// TensorInfo describes one graph input or output as the loaded model declares it.
type TensorInfo struct {
	// Name is the input or output name.
	Name string
	// Type is the element type, e.g. "float32", "int64".
	Type string
	// Shape is the declared shape; -1 marks a dynamic dimension.
	Shape []int64
}

// ModelInfo is what a session reports about its model at load time.
type ModelInfo struct {
	// Inputs lists the graph inputs in declaration order.
	Inputs []TensorInfo
	// Outputs lists the graph outputs in declaration order.
	Outputs []TensorInfo
	// Metadata holds the model's custom metadata_props.
	Metadata map[string]string
}

// Runner runs a model. VAD, ASR and TTS engines depend on this interface
// only; they never know whether the session behind it is on a CPU or a GPU.
type Runner interface {
	// Run feeds the inputs and returns the requested outputs in the order
	// of outputNames. The input is never lost: an implementation that
	// falls back to another device reruns the same inputs there.
	Run(ctx context.Context, inputs []Tensor, outputNames []string) ([]Tensor, error)
	// Info reports the model's inputs, outputs and metadata.
	Info() ModelInfo
}

// ActiveDevice is where r's session runs now when r reports it (a Model
// does, through State), else "cpu".
func ActiveDevice(r Runner) string {
	if s, ok := r.(interface{ State() ModelState }); ok {
		if active := s.State().Active; active != "" {
			return active
		}
	}
	return "cpu"
}
