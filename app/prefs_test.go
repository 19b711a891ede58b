package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/audio"
	"parley/internal/prefs"
	"parley/internal/testenv"
	"parley/pipeline"
	"parley/pipeline/asr"
	"parley/pipeline/llm"
	"parley/pipeline/tts"
)

// idlePipeline is a pipeline that is never run: enough to take notices.
func idlePipeline(t *testing.T) *pipeline.Pipeline {
	t.Helper()
	p, err := pipeline.New(pipeline.Options{
		Source: noInput{}, VAD: struct{ pipeline.VAD }{}, Segmenter: struct{ pipeline.Segmenter }{},
		ASR: struct{ asr.Engine }{}, Responder: struct{ llm.Responder }{}, TTS: struct{ tts.Engine }{},
		Player: struct{ pipeline.Player }{},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func prefsApp(t *testing.T, pins Pins) *App {
	t.Helper()
	dir := t.TempDir()
	return &App{eng: &Engines{Config: testenv.Config(t), StateDir: dir}, prefs: prefs.NewStore(dir), pins: pins, pipe: idlePipeline(t)}
}

// TestRememberedChoicesApplyUnlessPinned: what the TUI picked last is used
// at start where the user pinned nothing, and a pick is saved only then.
func TestRememberedChoicesApplyUnlessPinned(t *testing.T) {
	a := prefsApp(t, Pins{})
	for _, what := range []string{"microphone", "speaker", "model"} {
		err := a.remember(what, "", func(p *prefs.Prefs) {
			p.CaptureDevice, p.PlaybackDevice, p.LLMModel = "virtmic", "spk", "qwen2.5"
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var opts Options
	got := a.recall(&opts)
	if opts.InputDevice != "virtmic" || opts.OutputDevice != "spk" || a.eng.Config.LLM.Model != "qwen2.5" || got.mic != "virtmic" {
		t.Errorf("unpinned: opts %+v model %q recalled %+v", opts, a.eng.Config.LLM.Model, got)
	}

	pinned := prefsApp(t, Pins{InputDevice: "--input-device", OutputDevice: "audio.output_device in x.toml", Model: "llm.model in x.toml"})
	pinned.prefs = a.prefs
	model := pinned.eng.Config.LLM.Model
	opts = Options{InputDevice: "silence"}
	if got := pinned.recall(&opts); got != (recalled{}) || opts.InputDevice != "silence" || opts.OutputDevice != "" || pinned.eng.Config.LLM.Model != model {
		t.Errorf("pinned: opts %+v model %q recalled %+v", opts, pinned.eng.Config.LLM.Model, got)
	}
	if err := pinned.remember("model", pinned.pins.Model, func(p *prefs.Prefs) { p.LLMModel = "other" }); err != nil {
		t.Fatal(err)
	}
	if p, _ := a.prefs.Load(); p.LLMModel != "qwen2.5" {
		t.Errorf("a pinned model was remembered: %+v", p)
	}
	if ev := <-pinned.pipe.Events(); !strings.Contains(ev.Text, "model for this run only: llm.model in x.toml sets it") {
		t.Errorf("notice %q", ev.Text)
	}
}

// TestRememberedDeviceGone: a remembered device that no longer exists is
// dropped, with a notice, so parley starts on the configured devices.
func TestRememberedDeviceGone(t *testing.T) {
	a := prefsApp(t, Pins{})
	opts := Options{InputDevice: "usb-headset", OutputDevice: "spk"}
	r := recalled{mic: "usb-headset"}
	if a.forget(&opts, r, errors.New("some other failure")) {
		t.Error("forgot the devices for an error that is not a missing device")
	}
	missing := fmt.Errorf("audio input: capture device %q: %w", "usb-headset", audio.ErrDeviceNotFound)
	if !a.forget(&opts, r, missing) || opts.InputDevice != "" || opts.OutputDevice != "spk" {
		t.Fatalf("forget: %v, opts %+v", a.notices, opts)
	}
	if len(a.notices) != 1 || !strings.Contains(a.notices[0].Text, "remembered microphone usb-headset not found") {
		t.Errorf("notices %+v", a.notices)
	}
	if a.forget(&Options{}, recalled{}, missing) {
		t.Error("forgot devices that were not remembered")
	}
}

// TestUnreadablePrefsIsANotice: a damaged state file does not stop parley.
func TestUnreadablePrefsIsANotice(t *testing.T) {
	a := prefsApp(t, Pins{})
	if err := os.WriteFile(filepath.Join(a.eng.StateDir, prefs.FileName), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	var opts Options
	if got := a.recall(&opts); got != (recalled{}) || len(a.notices) != 1 || a.notices[0].Fact != "prefs" {
		t.Errorf("recalled %+v, notices %+v", got, a.notices)
	}
}
