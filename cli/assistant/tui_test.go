package assistant

import (
	"context"
	"testing"

	"parley/app"
	"parley/gpu"
	"parley/internal/testenv"
	"parley/pipeline"
	"parley/ui"
)

// fakeConversation stands in for a running App.
type fakeConversation struct {
	ui.Controller
	events chan pipeline.Event
}

func (f fakeConversation) Events() <-chan pipeline.Event { return f.events }
func (fakeConversation) SampleGPU(context.Context) gpu.Snapshot {
	return gpu.Snapshot{Unavailable: "no GPU: test"}
}
func (fakeConversation) ModelStates() []gpu.ModelState { return []gpu.ModelState{{Model: "asr"}} }
func (fakeConversation) Level() (float32, float32)     { return 0.25, 0.5 }
func (fakeConversation) Info() app.Info {
	return app.Info{VAD: "silero", ASR: "pocketsphinx", TTS: "flite/slt", LLM: "offline", LogPath: "/state/conv.jsonl"}
}

// TestUIOptionsFromConfig maps [conversation] and [ui] to the UI's
// switches and wires the conversation's sources and controller.
func TestUIOptionsFromConfig(t *testing.T) {
	for _, bargeIn := range []bool{false, true} {
		cfg := testenv.Config(t)
		cfg.Conversation.BargeIn = bargeIn
		cfg.UI.Unicode = !bargeIn
		conv := fakeConversation{events: make(chan pipeline.Event)}
		keys := ui.DefaultKeyMap()
		o := uiOptions(cfg, conv, keys, "/state/parley.log")
		if o.BargeIn != bargeIn || o.Unicode != !bargeIn || o.Muted || o.PushToTalk {
			t.Errorf("barge_in %v: switches BargeIn %v Unicode %v Muted %v PushToTalk %v", bargeIn, o.BargeIn, o.Unicode, o.Muted, o.PushToTalk)
		}
		if o.LogPath != "/state/parley.log" || o.Keys == nil || o.Controller == nil || o.Sources.Events != (<-chan pipeline.Event)(conv.events) {
			t.Errorf("options %+v", o)
		}
		info := o.Sources.Info()
		if info != (ui.StatusInfo{VAD: "silero", ASR: "pocketsphinx", TTS: "flite/slt", LLM: "offline", LogPath: "/state/conv.jsonl"}) {
			t.Errorf("info %+v", info)
		}
		if rms, peak := o.Sources.Level(); rms != 0.25 || peak != 0.5 {
			t.Errorf("level %v %v", rms, peak)
		}
		if snap := o.Sources.GPU(context.Background()); snap.Unavailable != "no GPU: test" || len(o.Sources.Models()) != 1 {
			t.Errorf("gpu %+v models %+v", snap, o.Sources.Models())
		}
	}
}
