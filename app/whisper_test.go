package app

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"parley/audio"
	"parley/gpu"
	"parley/internal/testenv"
	"parley/pipeline/asr"
)

// whisperOnFakeGPU builds the ASR of cfg (Whisper's multilingual contract
// model, whose encoder keeps its weights in an external file) the way
// OpenEngines does, on a gpu manager whose CUDA sessions are fake (real
// CPU sessions that report cuda:0) and whose NVML is fake.
func whisperOnFakeGPU(t *testing.T) (*Engines, *gpu.FakeNVML) {
	t.Helper()
	ctx := context.Background()
	rt, err := gpu.NewRuntime(ctx, gpu.RuntimeOptions{LibraryPath: testenv.ORTLibrary(t), IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testenv.Config(t)
	cfg.ASR.Engine, cfg.ASR.Whisper.Model = "whisper", abs(t, "../pipeline/asr/testdata/whisper/ml")
	nv := gpu.NewFakeNVML()
	e := &Engines{Config: cfg, Runtime: rt, Monitor: gpu.NewMonitor(gpu.MonitorOptions{NVML: nv, PID: 4242})}
	t.Cleanup(func() { _ = e.Close() })
	if e.Choices.ASR, err = ChooseASR(cfg, MachineFacts(true)); err != nil {
		t.Fatal(err)
	}
	mgr, err := gpu.NewManager(ctx, gpu.ManagerDeps{Runtime: rt, Monitor: e.Monitor, Factory: &gpu.FakeGPU{Base: rt}},
		gpuOptions(cfg.GPU), e.modelSpecs())
	if err != nil {
		t.Fatal(err)
	}
	e.GPUs = mgr
	e.onClose(mgr.Close)
	if e.ASR, err = e.newASR(ctx); err != nil {
		t.Fatal(err)
	}
	e.onClose(e.ASR.Close)
	return e, nv
}

func abs(t *testing.T, path string) string {
	t.Helper()
	a, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// hello recognises tones-en.wav, which the contract models spell
// "hello world parley".
func hello(t *testing.T, e asr.Engine) {
	t.Helper()
	a, err := audio.ReadWAV("../pipeline/asr/testdata/whisper/tones-en.wav")
	if err != nil {
		t.Fatal(err)
	}
	text, err := asr.Recognize(context.Background(), e, a.Samples)
	if err != nil || text != "hello world parley" {
		t.Errorf("on %s: %q, %v", e.Device(), text, err)
	}
}

// TestWhisperSpecs checks the gpu manager's view of a Whisper choice: the
// encoder as "asr" with its external weights, the decoder as "asr-decoder"
// with the ASR priority, and asr's weight split between them by size.
func TestWhisperSpecs(t *testing.T) {
	e, _ := whisperOnFakeGPU(t)
	specs := e.modelSpecs()
	if len(specs) != 2 || specs[0].Name != "asr" || specs[1].Name != decoderModel {
		t.Fatalf("specs %+v", specs)
	}
	enc, dec := specs[0], specs[1]
	if len(enc.ExternalData) != 1 || !strings.HasSuffix(enc.ExternalData[0], "test-encoder.weights") || dec.ExternalData != nil {
		t.Errorf("external data: encoder %v, decoder %v", enc.ExternalData, dec.ExternalData)
	}
	if dec.Priority != gpu.DefaultPriority("asr") || dec.Device != e.Config.ASR.Device {
		t.Errorf("decoder spec %+v", dec)
	}
	// 2676 + 4608 bytes of encoder against 11105 of decoder.
	w := e.Config.GPU.Weights["asr"]
	if math.Abs(enc.Weight+dec.Weight-w) > 1e-9 || math.Abs(enc.Weight-w*7284/18389) > 1e-9 {
		t.Errorf("weights %g + %g, want asr's %g split 7284:11105", enc.Weight, dec.Weight, w)
	}
}

// TestWhisperToggleMovesBoth runs the Whisper contract model through the
// gpu manager: the ASR toggle moves the encoder and the decoder together,
// recognition works on both devices, and the devices pane gets one row.
func TestWhisperToggleMovesBoth(t *testing.T) {
	e, _ := whisperOnFakeGPU(t)
	ctx := context.Background()
	hello(t, e.ASR)
	for _, want := range []string{"cuda:0", "cpu"} {
		if err := e.toggle(ctx, "asr"); err != nil {
			t.Fatal(err)
		}
		if e.ASR.Device() != want {
			t.Fatalf("after toggle: Whisper on %q, want %q", e.ASR.Device(), want)
		}
		hello(t, e.ASR)
		states := mergeDecoder(e.GPUs.States())
		if len(states) != 1 || states[0].Model != "asr" || states[0].Active != want {
			t.Errorf("states %+v", states)
		}
	}
}

// TestWhisperDecoderCannotFollow: when the budget refuses the decoder, the
// encoder goes back to the CPU and the error says why.
func TestWhisperDecoderCannotFollow(t *testing.T) {
	e, nv := whisperOnFakeGPU(t)
	// Room for the encoder's estimate (7284 B x 1.5) but not the decoder's
	// (11105 B x 1.5) above gpu.min_free_mib.
	free := float64(e.Config.GPU.MinFreeMiB) + 13000.0/(1<<20)
	nv.Update(0, func(d *gpu.FakeDevice) { d.UsedMiB = d.TotalMiB - free })
	err := e.toggle(context.Background(), "asr")
	if !errors.Is(err, gpu.ErrInsufficientMemory) || !strings.Contains(err.Error(), "the Whisper decoder cannot follow its encoder to cuda:0, so the encoder went back to cpu") {
		t.Fatalf("toggle: %v", err)
	}
	if e.ASR.Device() != "cpu" {
		t.Errorf("Whisper on %s after a refused toggle", e.ASR.Device())
	}
}

func TestMergeDecoder(t *testing.T) {
	states := []gpu.ModelState{
		{Model: "vad", Active: "cpu"},
		{Model: "asr", Requested: "cuda:0", Active: "cuda:0", MemoryMiB: 300},
		{Model: "tts", Active: "cpu"},
		{Model: decoderModel, Requested: "cuda:0", Active: "cpu", MemoryMiB: 0, FallbackReason: "memory pressure"},
	}
	got := mergeDecoder(states)
	if len(got) != 3 || got[1].Model != "asr" || got[2].Model != "tts" {
		t.Fatalf("merged %+v", got)
	}
	if a := got[1]; a.Active != "cuda:0+cpu" || a.FallbackReason != "decoder: memory pressure" || a.MemoryMiB != 300 {
		t.Errorf("asr row %+v", a)
	}
	states[1].MemoryMiB = -1
	if got := mergeDecoder(states); got[1].MemoryMiB != -1 {
		t.Errorf("unknown encoder memory, merged %v", got[1].MemoryMiB)
	}
	if states[3].Model != decoderModel {
		t.Error("mergeDecoder changed its input")
	}
}
