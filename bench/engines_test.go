package bench

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"parley/audio"
	"parley/internal/testenv"
)

// TestWhisperAndKokoroTargetsOnFakeGPU runs the Whisper and Kokoro
// contract models on the CPU and on a fake GPU: rows for both devices,
// identical outputs (Whisper's text and last logits, Kokoro's audio).
func TestWhisperAndKokoroTargetsOnFakeGPU(t *testing.T) {
	l, kokoro := newFakeGPULoader(t), testenv.KokoroModel(t)
	const whisper = "../pipeline/asr/testdata/whisper/en"
	tones, err := audio.ReadWAV("../pipeline/asr/testdata/whisper/tones-en.wav")
	if err != nil {
		t.Fatal(err)
	}
	utts := []Input{{ID: "tones", Samples: tones.Samples, Text: "hello world parley"}}
	text := TextInputs([]string{"Hello there.", "How are you today?"})
	plan := Plan{
		Targets: []Target{WhisperTarget(l, whisper, "cpu", []int{1}, nil), WhisperTarget(l, whisper, "cuda:0", []int{1}, nil),
			KokoroTarget(l, kokoro, "cpu", nil), KokoroTarget(l, kokoro, "cuda:0", nil)},
		Workloads: map[Kind][]Workload{KindASR: {{Name: "tones", Inputs: utts}}, KindTTS: {{Name: "sentence", Inputs: text}}},
		Verify:    map[Kind][]Input{KindASR: utts, KindTTS: text},
		Options:   Options{Duration: 2 * time.Second, Repetitions: 1},
	}
	rep := runPasses(t, plan, 4)
	names := map[Kind]string{KindASR: "en", KindTTS: filepath.Base(kokoro)}
	for _, c := range rep.Checks {
		if c.Model != names[c.Kind] || c.Items != len(plan.Verify[c.Kind]) || c.MaxAbsDiff != 0 || (c.Kind == KindTTS && c.MinCorrelation != 1) {
			t.Errorf("check %+v", c)
		}
	}
}

// TestWhisperTargetSwitchesBothGraphs: a live switch moves the encoder
// and the decoder, and the text stays.
func TestWhisperTargetSwitchesBothGraphs(t *testing.T) {
	ctx := context.Background()
	loaded, err := WhisperTarget(newFakeGPULoader(t), "../pipeline/asr/testdata/whisper/en", "cpu", nil, nil).Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer loaded.Close()
	tones, err := audio.ReadWAV("../pipeline/asr/testdata/whisper/tones-en.wav")
	if err != nil {
		t.Fatal(err)
	}
	for _, dev := range []string{"cuda:0", "cpu"} {
		if err := loaded.Switch(ctx, dev); err != nil {
			t.Fatal(err)
		}
		out, err := loaded.Run(ctx, []Input{{ID: "tones", Samples: tones.Samples}})
		if err != nil || loaded.Device() != dev || out[0].Text != "hello world parley" {
			t.Errorf("on %s (want %s): %+v, %v", loaded.Device(), dev, out, err)
		}
	}
}
