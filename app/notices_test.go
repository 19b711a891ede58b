package app

import (
	"context"
	"errors"
	"strings"
	"testing"

	"parley/gpu"
	"parley/internal/testenv"
)

// TestCalmFacts: one short line per fact with the action that fixes it;
// the long texts go to Detail only.
func TestCalmFacts(t *testing.T) {
	cfg := testenv.Config(t)
	noDriver := gpu.NewFakeNVML()
	noDriver.FailInit(&gpu.NVMLInitError{Reason: "NVML library not found (no NVIDIA driver)"})
	loaderErr := errors.New("load libonnxruntime.so: cannot open shared object file\nsecond line of the loader")
	e := &Engines{Config: cfg, RuntimeErr: loaderErr, Monitor: gpu.NewMonitor(gpu.MonitorOptions{NVML: noDriver})}
	e.Choices.VAD = Choice{Engine: "energy", Reason: "energy detector, because Silero needs ONNX Runtime"}
	e.Choices.ASR = Choice{Engine: "pocketsphinx", Reason: "pocketsphinx, because ONNX Runtime did not load (see onnx.library and parley doctor)"}
	e.Choices.TTS = Choice{Engine: "flite", Reason: "flite, because ONNX Runtime did not load"}
	cfg.LLM.Engine, cfg.LLM.Model, cfg.LLM.BaseURL = "auto", "llama3.2", "http://127.0.0.1:11434/v1"

	checks := []struct {
		fact, text, detail string
	}{
		{gpuFact(e).Fact, gpuFact(e).Text, gpuFact(e).Detail},
		{"llm", llmFact(cfg.LLM).Text, llmFact(cfg.LLM).Detail},
		{"speech", speechFact(cfg, e.Choices).Text, speechFact(cfg, e.Choices).Detail},
	}
	want := []struct{ text, detail string }{
		{"CPU only — ONNX Runtime did not load · parley doctor", "second line of the loader"},
		{"LLM: llama3.2 at http://127.0.0.1:11434/v1", "the offline responder while it cannot be reached"},
		{"pocketsphinx + flite · better models: parley models list", "ASR: pocketsphinx, because ONNX Runtime did not load"},
	}
	for i, c := range checks {
		if c.text != want[i].text || !strings.Contains(c.detail, want[i].detail) {
			t.Errorf("%s: %q (detail %q), want %q with detail containing %q", c.fact, c.text, c.detail, want[i].text, want[i].detail)
		}
		if strings.Contains(c.text, "\n") || len([]rune(c.text)) > 70 {
			t.Errorf("%s: not one calm line: %q", c.fact, c.text)
		}
	}
	if _, ok := failedFact(nil); ok {
		t.Error("a failed fact when every model loaded")
	}
	sv := &LoadError{Role: "asr", Engine: "sensevoice", Label: "SenseVoice", Err: errors.New("Protobuf parsing failed")}
	if n, ok := failedFact([]*LoadError{sv}); !ok || n.Text != "SenseVoice failed to load, replaced · parley doctor" || !strings.Contains(n.Detail, "Protobuf") {
		t.Errorf("failed fact %+v %v", n, ok)
	}
	if n, ok := vadFact(cfg, e.Choices.VAD, false); !ok || n.Text != "energy VAD: Silero needs ONNX Runtime" {
		t.Errorf("vad fact %+v %v", n, ok)
	}
	if _, ok := vadFact(cfg, Choice{Engine: "silero"}, true); ok {
		t.Error("a vad fact while Silero runs")
	}
}

// TestGPUFactWithARuntime: with ONNX Runtime loaded, the GPU line says
// what stops the GPU (no driver, no CUDA in this build) and keeps the
// runtime's description as detail.
func TestGPUFactWithARuntime(t *testing.T) {
	rt, err := gpu.NewRuntime(context.Background(), gpu.RuntimeOptions{LibraryPath: testenv.ORTLibrary(t)})
	if err != nil {
		t.Fatal(err)
	}
	noDriver := gpu.NewFakeNVML()
	noDriver.FailInit(&gpu.NVMLInitError{Reason: "NVML library not found (no NVIDIA driver)"})
	cfg := testenv.Config(t)
	e := &Engines{Config: cfg, Runtime: rt, Monitor: gpu.NewMonitor(gpu.MonitorOptions{NVML: noDriver})}
	if n := gpuFact(e); n.Text != "CPU only — NVML library not found (no NVIDIA driver)" || !strings.HasPrefix(n.Detail, "ONNX Runtime ") {
		t.Errorf("no driver: %+v", n)
	}
	e.Monitor = gpu.NewMonitor(gpu.MonitorOptions{NVML: gpu.NewFakeNVML()})
	want := "GPU ready"
	if !rt.CUDAStatus().Available {
		want = "CPU only — this ONNX Runtime has no CUDA · parley doctor"
	}
	if n := gpuFact(e); n.Text != want {
		t.Errorf("driver present: %q, want %q", n.Text, want)
	}
	e.Config.GPU.Enabled = false
	if n := gpuFact(e); n.Text != "CPU only — gpu.enabled = false" {
		t.Errorf("gpu off: %q", n.Text)
	}
}
