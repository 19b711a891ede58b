package app

import (
	"context"
	"testing"

	"parley/gpu"
	"parley/internal/testenv"
)

// TestKokoroFromConfig builds Kokoro as OpenEngines does, with the voice
// and speed of [tts.kokoro], on the gpu manager's "tts" model, and checks
// what the contract model says it was fed.
func TestKokoroFromConfig(t *testing.T) {
	ctx := context.Background()
	cfg := testenv.Config(t)
	cfg.TTS.Engine, cfg.TTS.Kokoro.Model, cfg.TTS.Kokoro.Voice, cfg.TTS.Kokoro.Speed = "kokoro", testenv.KokoroModel(t), "bf_emma", 2
	rt, err := gpu.NewRuntime(ctx, gpu.RuntimeOptions{LibraryPath: testenv.ORTLibrary(t), IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	e := &Engines{Config: cfg, Runtime: rt}
	t.Cleanup(func() { _ = e.Close() })
	if e.Choices.TTS, err = ChooseTTS(cfg, MachineFacts(true)); err != nil {
		t.Fatal(err)
	}
	if e.GPUs, err = gpu.NewManager(ctx, gpu.ManagerDeps{Runtime: rt}, gpuOptions(cfg.GPU), e.modelSpecs()); err != nil {
		t.Fatal(err)
	}
	e.onClose(e.GPUs.Close)
	k, err := e.newTTS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.onClose(k.Close)
	a, err := k.Synthesize(ctx, "Hi.")
	if err != nil {
		t.Fatal(err)
	}
	// The contract model's audio starts with [T/1024, N/2^20, ...]: T = L+2
	// tokens and N = floor(T x 600 / speed) samples of speech; style[1] is
	// voice/8192 (bf_emma is voice 1 of the test voices).
	tokens := int(a.Samples[0]*1024 + 0.5)
	speech := int(a.Samples[1]*(1<<20) + 0.5)
	voice := int(a.Samples[2+tokens+1]*8192 + 0.5)
	if k.Name() != "kokoro/bf_emma" || a.SampleRate != 24000 || speech != tokens*600/2 || voice != 1 {
		t.Errorf("%s: %d Hz, %d tokens, %d speech samples (want %d at speed 2), voice %d (want 1)",
			k.Name(), a.SampleRate, tokens, speech, tokens*600/2, voice)
	}
}

// TestRelay: engine reports reach the conversation once it is connected;
// before that they are dropped, not queued.
func TestRelay(t *testing.T) {
	var r relay
	var got []string
	r.say("early")
	r.connect(func(msg string) { got = append(got, msg) })
	r.say("dropped phoneme ʔ")
	if len(got) != 1 || got[0] != "dropped phoneme ʔ" {
		t.Errorf("relayed %q", got)
	}
}
