package gpu

import (
	"errors"
	"fmt"
)

var (
	// ErrLibraryNotFound indicates that no ONNX Runtime shared library exists
	// at the configured or default path.
	ErrLibraryNotFound = errors.New("onnx runtime library not found")
	// ErrLibraryMismatch indicates that a second Runtime asked for a library
	// other than the one already loaded into this process.
	ErrLibraryMismatch = errors.New("onnx runtime already loaded from another library")
	// ErrBadDevice indicates a device string that is neither "cpu" nor "cuda:N".
	ErrBadDevice = errors.New("invalid device")
	// ErrBadOption indicates an option value the package refuses.
	ErrBadOption = errors.New("invalid option")
	// ErrUnknownInput indicates a run input whose name the model does not declare.
	ErrUnknownInput = errors.New("unknown input")
	// ErrMissingInput indicates a declared model input that a run did not supply.
	ErrMissingInput = errors.New("missing input")
	// ErrUnknownOutput indicates a requested output the model does not declare.
	ErrUnknownOutput = errors.New("unknown output")
	// ErrTensorData indicates tensor data of an unsupported type or a length
	// that does not match its shape.
	ErrTensorData = errors.New("bad tensor data")
	// ErrClosed indicates use of a model, runtime or manager after Close.
	ErrClosed = errors.New("closed")
	// ErrCUDAUnavailable indicates that the CUDA execution provider could not
	// be appended or a CUDA session could not be built.
	ErrCUDAUnavailable = errors.New("cuda unavailable")
	// ErrGPURun indicates that a run failed on a GPU session.
	ErrGPURun = errors.New("gpu run failed")
	// ErrNoGPU indicates that no usable GPU exists (no NVML, no driver, no
	// CUDA provider, or GPU use disabled).
	ErrNoGPU = errors.New("no GPU")
	// ErrNVMLUnavailable indicates that NVML could not be initialised.
	ErrNVMLUnavailable = errors.New("nvml unavailable")
	// ErrInsufficientMemory indicates that a GPU has too little free memory
	// for a model to move onto it.
	ErrInsufficientMemory = errors.New("insufficient GPU memory")
	// ErrUnknownModel indicates a model name the manager does not hold.
	ErrUnknownModel = errors.New("unknown model")
)

// DeviceError is a failure that belongs to a GPU rather than to the model or
// its inputs: the CUDA provider would not append, a session would not build
// on the GPU, or a run failed there. Models fall back to the CPU on it.
type DeviceError struct {
	// Op is what failed: "load" or "run".
	Op string
	// Path is the model file.
	Path string
	// Device is the GPU involved.
	Device Device
	// Reason is the underlying error text (ORT's own where there is one),
	// shown by the UI as "cpu (fallback: <Reason>)".
	Reason string
	// Err is the sentinel: ErrCUDAUnavailable or ErrGPURun.
	Err error
}

// Error implements error.
func (e *DeviceError) Error() string {
	return fmt.Sprintf("%s %s on %s: %v: %s", e.Op, e.Path, e.Device, e.Err, e.Reason)
}

// Unwrap returns the sentinel, so errors.Is(err, ErrCUDAUnavailable) works.
func (e *DeviceError) Unwrap() error { return e.Err }

// ModelError indicates that NewManager could not load one of its models;
// Model names it (ModelSpec.Name), so a caller can choose another engine
// for that role.
type ModelError struct {
	// Model is the spec's name, e.g. "asr".
	Model string
	// Err is why it did not load.
	Err error
}

// Error implements error; the text is Err's, which names the model.
func (e *ModelError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *ModelError) Unwrap() error { return e.Err }
