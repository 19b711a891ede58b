package statusbar

import (
	"errors"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"parley/gpu"
	"parley/pipeline"
	"parley/ui/common"
	"parley/ui/keymap"
	"parley/ui/styles"
)

func init() {
	lipgloss.SetColorProfile(termenv.Ascii)
}

func TestView(t *testing.T) {
	km := keymap.Default()
	m := New(common.Common{Styles: styles.Default(false), Keys: &km, Now: time.Now},
		func() (float32, float32) { return 0.1, 0.5 }, time.Millisecond)
	m, cmd := m.Update(levelSampledMsg{rms: 0.1})
	if cmd == nil {
		t.Fatal("level sampling not re-armed")
	}
	m, _ = m.Update(common.ModelsSampledMsg{
		Models: []gpu.ModelState{{Model: "asr", Active: "cuda:0"}, {Model: "tts", Active: "cpu", Switching: true}},
		Info:   common.StatusInfo{ASR: "sensevoice", TTS: "piper", LLM: "ollama"},
	})
	m, _ = m.Update(common.EventMsg{Event: pipeline.Event{Kind: pipeline.KindState, State: pipeline.StateSpeaking}})
	var out string
	for _, w := range []int{80, 130} {
		m.SetSize(w, 2)
		out += m.View() + "\n"
	}
	m.SetError(errors.New("tts device: no GPU: NVML library not found"))
	m.SetFlags(Flags{Muted: true, PushToTalk: true})
	out += m.View() + "\n"
	m.ClearMessage()
	m.SetSize(80, 1)
	out += m.View() + "\n"
	golden.RequireEqual(t, []byte(out))
}

func TestDBFS(t *testing.T) {
	for in, want := range map[float32]float64{0: -60, 1: 0, 0.1: -20, 1e-9: -60} {
		if got := dbfs(in); got < want-0.01 || got > want+0.01 {
			t.Errorf("dbfs(%v) = %v, want %v", in, got, want)
		}
	}
}
