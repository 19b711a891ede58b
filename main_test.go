package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"parley/gpu"
	"parley/pipeline/asr"
	"parley/pipeline/tts"
)

func TestDescribeRuntime(t *testing.T) {
	got := describeRuntime(gpu.RuntimeInfo{Version: "1.29.0", Providers: []gpu.ProviderStatus{
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
	c := controller{s: &session{asr: namedASR{}, tts: namedTTS{}}}
	for model, want := range map[string]string{
		"asr": "pocketsphinx runs on the CPU only",
		"tts": "flite/slt runs on the CPU only",
		"llm": `no model "llm"`,
	} {
		err := c.ToggleDevice(context.Background(), model)
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

func TestFlagErrors(t *testing.T) {
	cases := map[string][]string{
		"--json needs --headless": {"--json"},
		"unexpected argument":     {"--headless", "stray"},
		"unknown command":         {"frobnicate"},
	}
	for want, args := range cases {
		var stderr bytes.Buffer
		if code := run(args, &bytes.Buffer{}, &stderr); code == 0 || !strings.Contains(stderr.String(), want) {
			t.Errorf("parley %v: exit %d, stderr %q; want %q", args, code, stderr.String(), want)
		}
	}
	if code := run([]string{"--help"}, &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
		t.Errorf("--help exit %d", code)
	}
}
