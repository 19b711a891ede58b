package bench

import (
	"context"
	"fmt"
	"strings"

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
	dev, err := gpu.ParseDevice(device)
	switch {
	case err != nil:
		return err.Error()
	case c.Runtime == nil:
		return fmt.Sprintf("ONNX Runtime did not load: %v", c.RuntimeErr)
	case !dev.CUDA:
		return ""
	case c.Disabled:
		return "GPU use is off (gpu.enabled = false)"
	}
	var why []string
	if st := c.Runtime.CUDAStatus(); !st.Available {
		why = append(why, "no CUDA provider in ONNX Runtime "+c.Runtime.Info().Version+": "+firstLine(st.Reason))
	}
	if c.Monitor != nil {
		snap := c.Monitor.Sample(ctx)
		switch {
		case snap.Unavailable != "":
			why = append(why, "no GPU: "+snap.Unavailable)
		case dev.Index >= len(snap.GPUs):
			why = append(why, fmt.Sprintf("no GPU %s: NVML lists %d", device, len(snap.GPUs)))
		}
	}
	return strings.Join(why, "; ")
}

// firstLine shortens a library's error text to its first line, at most
// 120 characters.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}
