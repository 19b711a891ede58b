package bench

import (
	"context"
	"fmt"

	"parley/gpu"
)

// GPUCheck says whether ONNX models can run on a CUDA device here.
type GPUCheck struct {
	// Runtime is the loaded ONNX Runtime; nil when it did not load.
	Runtime *gpu.Runtime
	// RuntimeErr is why it did not load.
	RuntimeErr error
	// Monitor is NVML; nil when not opened.
	Monitor *gpu.Monitor
	// Disabled is true when the configuration turns GPU use off.
	Disabled bool
}

// Missing returns why an ONNX model cannot run on device ("" when it can,
// as far as can be told before loading it): ONNX Runtime missing, GPU use
// off, no CUDA provider, or no such GPU.
func (c GPUCheck) Missing(ctx context.Context, device string) string {
	if _, err := gpu.ParseDevice(device); err == nil && c.Runtime == nil {
		return fmt.Sprintf("ONNX Runtime did not load: %v", c.RuntimeErr)
	}
	return gpu.Unusable(ctx, c.Runtime, c.Monitor, !c.Disabled, device)
}
