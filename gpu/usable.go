package gpu

import (
	"context"
	"fmt"
	"strings"
)

// Unusable says why ONNX models cannot run on device here ("" when they
// can, as far as can be told before one loads): a bad device name, GPU use
// off (enabled false), no CUDA provider in rt, or no such GPU in NVML (mon;
// nil leaves NVML unchecked). The CPU is always usable; rt must not be nil.
func Unusable(ctx context.Context, rt *Runtime, mon *Monitor, enabled bool, device string) string {
	dev, err := ParseDevice(device)
	switch {
	case err != nil:
		return err.Error()
	case !dev.CUDA:
		return ""
	case !enabled:
		return "GPU use is off (gpu.enabled = false)"
	}
	var why []string
	if st := rt.CUDAStatus(); !st.Available {
		why = append(why, "no CUDA provider in ONNX Runtime "+rt.Info().Version+": "+shortReason(st.Reason))
	}
	if mon != nil {
		snap := mon.Sample(ctx)
		switch {
		case snap.Unavailable != "":
			why = append(why, "no GPU: "+snap.Unavailable)
		case dev.Index >= len(snap.GPUs):
			why = append(why, fmt.Sprintf("no GPU %s: NVML lists %d", device, len(snap.GPUs)))
		}
	}
	return strings.Join(why, "; ")
}

// shortReason shortens a library's error text to its first line, at most
// 120 characters.
func shortReason(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}
