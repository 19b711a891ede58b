package gpu

import (
	"context"
	"strings"
	"testing"
)

func TestUnusable(t *testing.T) {
	rt := testRuntime(t)
	mon := NewMonitor(MonitorOptions{NVML: NewFakeNVML()}) // two GPUs
	defer mon.Close()
	ctx := context.Background()
	noCUDA := "" // this machine's ONNX Runtime may lack the CUDA provider
	if !rt.CUDAStatus().Available {
		noCUDA = "no CUDA provider in ONNX Runtime " + rt.Info().Version + ": "
	}
	for _, c := range []struct {
		device  string
		enabled bool
		want    []string // the parts of the reason; none when usable
	}{
		{"cpu", false, nil},
		{"gpu", true, []string{`invalid device "gpu"`}},
		{"cuda:0", false, []string{"GPU use is off (gpu.enabled = false)"}},
		{"cuda:1", true, []string{noCUDA}},
		{"cuda:5", true, []string{noCUDA, "no GPU cuda:5: NVML lists 2"}},
	} {
		got := Unusable(ctx, rt, mon, c.enabled, c.device)
		if strings.Join(c.want, "") == "" && got != "" {
			t.Errorf("%s: %q, want usable", c.device, got)
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s (enabled %v): %q lacks %q", c.device, c.enabled, got, w)
			}
		}
	}
}
