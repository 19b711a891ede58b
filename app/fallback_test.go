package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/internal/testenv"
)

// TestAutoSkipsEnginesThatFailedToLoad: an engine whose model did not load
// is passed over by "auto" (the next one runs, saying why), never by an
// explicit choice.
func TestAutoSkipsEnginesThatFailedToLoad(t *testing.T) {
	sv := map[string]string{"sensevoice-small-int8": "/m/sv8"}
	d := disk{onnx: true, files: []string{"/m/sv8/model.int8.onnx"}, installed: sv}
	f := d.facts()
	f.Broken = map[string]error{"sensevoice": &LoadError{Role: "asr", Engine: "sensevoice", Label: "SenseVoice", Err: errors.New("Protobuf parsing failed")}}
	cfg := testenv.Config(t)
	c, err := ChooseASR(cfg, f)
	if err != nil || c.Engine != "pocketsphinx" || c.Reason != "pocketsphinx, because SenseVoice failed to load: Protobuf parsing failed" {
		t.Errorf("auto: %+v, %v", c, err)
	}
	cfg.ASR.Engine = "sensevoice"
	if c, err := ChooseASR(cfg, f); err != nil || c.Engine != "sensevoice" {
		t.Errorf("explicit: %+v, %v; the choice is the user's", c, err)
	}
}

// TestAFailedLoadIsSaidOnceByTheEngineThatRuns: the engine auto falls back
// to says which model failed to load, also when it is not the last of its
// list, and Kokoro's two rows (one engine) are said once.
func TestAFailedLoadIsSaidOnceByTheEngineThatRuns(t *testing.T) {
	cfg := testenv.Config(t)
	both := map[string]string{"sensevoice-small-int8": "/m/sv8", "paraformer-large-zh-int8": "/m/pf"}
	f := disk{onnx: true, files: []string{"/m/sv8/model.int8.onnx", "/m/pf/model.int8.onnx"}, installed: both}.facts()
	f.Broken = map[string]error{"sensevoice": &LoadError{Role: "asr", Engine: "sensevoice", Label: "SenseVoice", Err: errors.New("Protobuf parsing failed")}}
	c, err := ChooseASR(cfg, f)
	if err != nil || c.Engine != "paraformer" || c.Reason != "paraformer from /m/pf; SenseVoice failed to load: Protobuf parsing failed" {
		t.Errorf("asr: %+v, %v", c, err)
	}
	f = disk{onnx: true, files: []string{"/m/k8"}, installed: map[string]string{"kokoro-v1.0-int8": "/m/k8"}}.facts()
	f.Broken = map[string]error{"kokoro": &LoadError{Role: "tts", Engine: "kokoro", Label: "Kokoro", Err: errors.New("bad graph")}}
	c, err = ChooseTTS(cfg, f)
	if err != nil || c.Engine != "flite" || strings.Count(c.Reason, "Kokoro failed to load") != 1 {
		t.Errorf("tts: %+v, %v; want flite naming Kokoro's failure once", c, err)
	}
}

// garbage writes random-looking bytes where a model belongs.
func garbage(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.Repeat("\x8f\x13not an onnx model\x00", 512)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOpenEnginesFallsBackFromABrokenModel loads real ONNX Runtime with a
// Silero model and a SenseVoice folder of garbage: with auto engines the
// energy VAD and pocketsphinx run and say why; asked for by name, the
// broken engine is an error naming its file.
func TestOpenEnginesFallsBackFromABrokenModel(t *testing.T) {
	cfg := testenv.Config(t)
	cfg.ONNX.Library = testenv.ORTLibrary(t)
	dir := t.TempDir()
	cfg.Log.Dir = filepath.Join(dir, "state")
	cfg.VAD.Model = filepath.Join(dir, "vad.onnx")
	cfg.ASR.SenseVoice.ModelDir = filepath.Join(dir, "sv")
	garbage(t, cfg.VAD.Model)
	garbage(t, filepath.Join(cfg.ASR.SenseVoice.ModelDir, "model.int8.onnx"))
	garbage(t, filepath.Join(cfg.ASR.SenseVoice.ModelDir, "tokens.txt"))
	e, err := OpenEngines(context.Background(), cfg, RoleVAD|RoleASR)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.VADName() != "energy" || e.ASR.Name() != "pocketsphinx" || len(e.Failed) != 2 {
		t.Fatalf("VAD %s, ASR %s, failed %v", e.VADName(), e.ASR.Name(), e.Failed)
	}
	notices := strings.Join(e.Notices, "\n")
	for _, want := range []string{"VAD: energy detector, because Silero failed to load", cfg.VAD.Model,
		"ASR: pocketsphinx, because SenseVoice failed to load", cfg.ASR.SenseVoice.ModelDir} {
		if !strings.Contains(notices, want) {
			t.Errorf("notices lack %q:\n%s", want, notices)
		}
	}
	cfg.ASR.Engine = "sensevoice"
	if _, err := OpenEngines(context.Background(), cfg, RoleASR); err == nil || !strings.Contains(err.Error(), cfg.ASR.SenseVoice.ModelDir) {
		t.Errorf("asr.engine = sensevoice with a broken model: %v, want an error naming it", err)
	}
}

// TestAutoTurnFallsBackToTheTextDetector: with turn.detector = auto, a
// Smart Turn model that does not load (garbage) or breaks the contract
// (128 mel bins) gives way to the text detector, saying why; asked for by
// name it is an error.
func TestAutoTurnFallsBackToTheTextDetector(t *testing.T) {
	garbageModel := filepath.Join(t.TempDir(), "smart-turn.onnx")
	garbage(t, garbageModel)
	badShape, err := filepath.Abs(filepath.Join("..", "pipeline", "turn", "testdata", "smart-turn-badshape.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	for _, model := range []string{garbageModel, badShape} {
		cfg := testenv.Config(t)
		cfg.ONNX.Library = testenv.ORTLibrary(t)
		cfg.Log.Dir = t.TempDir()
		cfg.Turn.Detector, cfg.Turn.Model = "auto", model
		e, err := OpenEngines(context.Background(), cfg, RoleTurn)
		if err != nil {
			t.Fatalf("%s: %v", model, err)
		}
		notices := strings.Join(e.Notices, "\n")
		if e.Turn.Name() != "text" || len(e.Failed) != 1 || !strings.Contains(notices, "turn: text detector, because Smart Turn failed to load") {
			t.Errorf("%s: detector %s, failed %v, notices:\n%s", model, e.Turn.Name(), e.Failed, notices)
		}
		_ = e.Close()
		cfg.Turn.Detector = "smart-turn"
		if e, err := OpenEngines(context.Background(), cfg, RoleTurn); err == nil {
			_ = e.Close()
			t.Errorf("%s: turn.detector = smart-turn with a broken model ran", model)
		}
	}
}
