package app

import (
	"context"
	"strings"
	"testing"

	"parley/gpu"
	"parley/internal/testenv"
	"parley/pipeline/asr"
	"parley/pipeline/tts"
)

func TestDescribeRuntime(t *testing.T) {
	got := DescribeRuntime(gpu.RuntimeInfo{Version: "1.29.0", Providers: []gpu.ProviderStatus{
		{Name: "CPU", Available: true},
		{Name: "CUDA", Reason: "Failed to load shared library\nsecond line"},
		{Name: "WebGPU", Reason: "not probed"},
	}})
	want := "ONNX Runtime 1.29.0; execution providers: CPU, CUDA unavailable (Failed to load shared library)"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

type namedASR struct{ asr.Engine }

func (namedASR) Name() string { return "pocketsphinx" }

type namedTTS struct{ tts.Engine }

func (namedTTS) Name() string { return "flite/slt" }

func TestToggleRefusalsSayWhy(t *testing.T) {
	a := &App{eng: &Engines{ASR: namedASR{}, TTS: namedTTS{}}}
	for model, want := range map[string]string{
		"asr": "pocketsphinx runs on the CPU only",
		"tts": "flite/slt runs on the CPU only",
		"llm": `no model "llm"`,
	} {
		err := a.ToggleDevice(context.Background(), model)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("toggle %s: %v, want %q", model, err, want)
		}
	}
}

func TestCPUOnlyStateIsHonest(t *testing.T) {
	st := cpuOnly("asr", "cuda:0", "pocketsphinx")
	if st.Active != "cpu" || st.Requested != "cuda:0" || !strings.Contains(st.FallbackReason, "CPU only") {
		t.Errorf("state %+v", st)
	}
	if st := cpuOnly("tts", "cpu", "flite"); st.FallbackReason != "" {
		t.Errorf("no fallback reason expected when cpu was asked: %+v", st)
	}
}

// TestModelStatesOneRowPerRole: a model the GPU manager holds is reported
// once, as the manager sees it, never again as a CPU-only engine.
func TestModelStatesOneRowPerRole(t *testing.T) {
	cfg := testenv.Config(t)
	cfg.ASR.Device, cfg.TTS.Device = "cuda:0", "cuda:0"
	managed := []gpu.ModelState{{Model: "vad", Active: "cpu"}, {Model: "asr", Active: "cuda:0"}}
	got := modelStates(managed, cfg, map[string]string{"vad": "silero", "asr": "sensevoice", "tts": "flite/slt"})
	var roles []string
	for _, s := range got {
		roles = append(roles, s.Model+"@"+s.Active)
	}
	if strings.Join(roles, " ") != "vad@cpu asr@cuda:0 tts@cpu" {
		t.Errorf("states %v", roles)
	}
	if got[2].FallbackReason != "flite/slt runs on the CPU only" {
		t.Errorf("tts state %+v", got[2])
	}
}
