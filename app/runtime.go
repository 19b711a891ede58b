package app

import (
	"context"
	"fmt"
	"os"
	"strings"

	"parley/config"
	"parley/gpu"
	"parley/models"
	"parley/pipeline/asr"
	"parley/pipeline/tts"
)

// MachineFacts are the facts of this machine for the engine choice.
func MachineFacts(onnxLoaded bool) Facts {
	return Facts{
		ONNX:           onnxLoaded,
		SileroModel:    models.SileroVADPath(),
		SmartTurnModel: models.SmartTurnPath(),
		Exists:         func(path string) bool { _, err := os.Stat(path); return err == nil },
		Installed:      models.Installed,
		ASRModel:       asr.FindModel,
		Voice:          tts.FindVoice,
		Whisper:        asr.FindWhisper,
		Kokoro:         tts.FindKokoro,
		Catalog:        func(name string) bool { _, ok := models.Lookup(name); return ok },
	}
}

// GPUMissing returns Facts.GPU for this machine: why ONNX models cannot
// run on a device ("" when they can). rt is nil when ONNX Runtime did not
// load; mon reads the GPUs.
func GPUMissing(ctx context.Context, rt *gpu.Runtime, mon *gpu.Monitor, g config.GPU) func(device string) string {
	return func(device string) string {
		if rt == nil {
			return errNoONNX.Error()
		}
		return gpu.Unusable(ctx, rt, mon, g.Enabled, device)
	}
}

// openRuntime loads ONNX Runtime and NVML; a runtime that does not load is
// a notice, not an error.
func (e *Engines) openRuntime(ctx context.Context) {
	e.Monitor = gpu.NewMonitor(gpu.MonitorOptions{})
	e.onClose(func() error { e.Monitor.Close(); return nil })
	rt, err := gpu.NewRuntime(ctx, gpu.RuntimeOptions{
		LibraryPath:    e.Config.ONNX.Library,
		IntraOpThreads: e.Config.ONNX.IntraOpThreads,
		InterOpThreads: e.Config.ONNX.InterOpThreads,
	})
	if err != nil {
		e.RuntimeErr = err
		e.note("ONNX Runtime unavailable: %v", err)
		return
	}
	e.Runtime = rt
	e.note("%s", DescribeRuntime(rt.Info()))
}

// DescribeRuntime names the ONNX Runtime in use and its execution providers.
func DescribeRuntime(info gpu.RuntimeInfo) string {
	parts := make([]string, 0, len(info.Providers))
	for _, p := range info.Providers {
		switch {
		case p.Available:
			parts = append(parts, p.Name)
		case strings.Contains(p.Reason, "not probed"):
		default:
			parts = append(parts, p.Name+" unavailable ("+firstLine(p.Reason)+")")
		}
	}
	return fmt.Sprintf("ONNX Runtime %s; execution providers: %s", info.Version, strings.Join(parts, ", "))
}

// firstLine shortens a library's error text to its first 100 characters.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return s
}
