package app

import (
	"context"
	"fmt"
	"os"
	"strings"

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
