package devices

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"parley/gpu"
	"parley/ui/common"
	"parley/ui/keymap"
	"parley/ui/styles"
)

func init() {
	lipgloss.SetColorProfile(termenv.Ascii)
}

type switcher struct{ err error }

func (s switcher) ToggleDevice(context.Context, string) error { return s.err }

func TestView(t *testing.T) {
	km := keymap.Default()
	now := func() time.Time { return time.Date(2025, 1, 1, 9, 30, 0, 0, time.UTC) }
	m := New(common.Common{Styles: styles.Default(false), Keys: &km, Now: now})
	models := []gpu.ModelState{
		{Model: "tts", Requested: "cuda:0", Active: "cuda:0", MemoryMiB: 900, LastSwitch: 2100 * time.Millisecond},
		{Model: "asr", Requested: "cuda:0", Active: "cpu", FallbackReason: "CUDA error: out of memory", MemoryMiB: -1},
		{Model: "vad", Requested: "cpu", Active: "cpu"},
	}
	m, _ = m.Update(common.ModelsSampledMsg{Models: models})
	m, cmd := m.Toggle(switcher{}, "asr", nil, time.Second)
	var out string
	for _, s := range [][2]int{{80, 1}, {60, 9}} {
		m.SetSize(s[0], s[1])
		out += m.View() + "\n"
	}
	msg := cmd().(common.ToggledMsg)
	msg.Took = 1500 * time.Millisecond
	models[1] = gpu.ModelState{Model: "asr", Requested: "cuda:0", Active: "cuda:0", MemoryMiB: 1200}
	msg.Models = models
	m, _ = m.Update(msg)
	out += m.View() + "\n"
	golden.RequireEqual(t, []byte(out))
}

func TestToggleError(t *testing.T) {
	km := keymap.Default()
	m := New(common.Common{Styles: styles.Default(false), Keys: &km, Now: time.Now})
	m, cmd := m.Toggle(switcher{err: errors.New("no GPU")}, "tts", nil, time.Second)
	if !m.Switching("tts") {
		t.Fatal("not switching")
	}
	m, _ = m.Update(cmd())
	if m.Switching("tts") {
		t.Fatal("still switching after error")
	}
}
