package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"parley/ui/common"
	"parley/ui/keymap"
)

// keyFor returns the message of the first key bound to action in km.
func keyFor(t *testing.T, km KeyMap, action string) tea.KeyMsg {
	t.Helper()
	b, ok := km.Binding(action)
	if !ok || len(b.Keys()) == 0 {
		t.Fatalf("no key for %s", action)
	}
	msg, ok := keymap.ToKeyMsg(b.Keys()[0])
	if !ok {
		t.Fatalf("cannot press %q", b.Keys()[0])
	}
	return msg
}

// run executes cmd and feeds its messages back, like the program would,
// skipping ticks.
func run(m Model, cmd tea.Cmd) Model {
	if cmd == nil {
		return m
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(100 * time.Millisecond):
		return m // a tick or a blocked read
	}
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			m = run(m, c)
		}
		return m
	}
	if msg == nil {
		return m
	}
	next, c := m.Update(msg)
	_ = c
	return next.(Model)
}

// TestKeysPressConfigured presses each action's configured key, for the
// default and a remapped keymap, and checks its effect.
func TestKeysPressConfigured(t *testing.T) {
	remapped, err := ParseKeyMap(map[string][]string{
		keymap.ToggleASR: {"x"}, keymap.Mute: {"alt+m"}, keymap.FocusNext: {"f2"}, keymap.Quit: {"ctrl+q"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, km := range map[string]KeyMap{"default": DefaultKeyMap(), "remapped": remapped} {
		t.Run(name, func(t *testing.T) { checkKeys(t, km) })
	}
}

func checkKeys(t *testing.T, km KeyMap) {
	f := newFakeDevices()
	o := testOptions(f, nil, noGPU)
	o.Keys = &km
	m := New(o)
	m = step(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m = step(m, common.ModelsSampledMsg{Models: f.Models()})

	next, cmd := m.Update(keyFor(t, km, keymap.ToggleASR))
	m = next.(Model)
	if !m.devices.Switching("asr") || !strings.Contains(m.View(), "switching") {
		t.Fatalf("toggle did not show switching:\n%s", m.View())
	}
	m = run(m, cmd)
	if got, _ := m.devices.Active("asr"); got != "cuda:0" || len(f.calls) != 1 {
		t.Fatalf("after toggle: active %q, calls %v", got, f.calls)
	}
	if v := m.View(); !strings.Contains(v, "asr now on cuda:0") || !strings.Contains(v, "1.24s") {
		t.Errorf("switch result not shown:\n%s", v)
	}

	next, cmd = m.Update(keyFor(t, km, keymap.Mute))
	m = run(next.(Model), cmd)
	if !m.flags.Muted || len(f.muted) != 1 || !f.muted[0] || !strings.Contains(m.View(), "MIC muted") {
		t.Errorf("mute: flags %+v, calls %v", m.flags, f.muted)
	}
	m = step(m, keyFor(t, km, keymap.BargeIn))
	m = step(m, keyFor(t, km, keymap.PushToTalk))
	if v := m.View(); !strings.Contains(v, "[barge-in off]") || !strings.Contains(v, "[push-to-talk]") {
		t.Errorf("flags not shown:\n%s", v)
	}

	m = step(m, keyFor(t, km, keymap.FocusNext))
	if m.focus != PaneStages {
		t.Errorf("focus %v after focus_next", m.focus)
	}
	m = step(m, keyFor(t, km, keymap.Help))
	if !m.help || !strings.Contains(m.View(), "ui.keys.toggle_asr") {
		t.Errorf("help not shown")
	}
	m = step(m, keyFor(t, km, keymap.Help))
	if m.help {
		t.Errorf("help not closed")
	}

	m = step(m, common.EventMsg{Event: ev("heard", 1, "hello there")})
	m = step(m, keyFor(t, km, keymap.Clear))
	if m.conv.Len() != 0 {
		t.Errorf("clear left %d entries", m.conv.Len())
	}
	if _, cmd := m.Update(keyFor(t, km, keymap.Quit)); !isQuit(cmd) {
		t.Error("quit key did not quit")
	}
	if _, cmd := m.Update(tea.KeyMsg{Type: tea.KeyCtrlC}); !isQuit(cmd) {
		t.Error("ctrl+c did not quit")
	}
}

// TestRemapReplaces: a remapped action no longer answers its default key.
func TestRemapReplaces(t *testing.T) {
	km, err := ParseKeyMap(map[string][]string{keymap.ToggleASR: {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	f := newFakeDevices()
	o := testOptions(f, nil, noGPU)
	o.Keys = &km
	m := New(o)
	m = step(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m = step(m, keyFor(t, DefaultKeyMap(), keymap.ToggleASR)) // "a"
	if m.devices.Switching("asr") {
		t.Error("old key still toggles")
	}
}

// TestToggleError: ToggleDevice's error shows in the status line until the
// next key, and help says why the action is unavailable.
func TestToggleError(t *testing.T) {
	f := newFakeDevices()
	f.err = errNoGPU
	m := New(testOptions(f, nil, noGPU))
	m = step(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	km := DefaultKeyMap()
	next, cmd := m.Update(keyFor(t, km, keymap.ToggleTTS))
	m = run(next.(Model), cmd)
	if v := m.View(); !strings.Contains(v, "tts device: no GPU: NVML library not found") {
		t.Fatalf("error not in status line:\n%s", v)
	}
	if m.devices.Switching("tts") {
		t.Error("still switching after error")
	}
	m = step(m, keyFor(t, km, keymap.Help))
	if v := m.View(); !strings.Contains(v, "unavailable: no GPU: NVML library not found") {
		t.Errorf("help lacks the reason:\n%s", v)
	}
	if strings.Contains(m.status.Err(), "NVML") {
		t.Error("error survived a key press")
	}
}

// TestNoController: actions say why they are unavailable.
func TestNoController(t *testing.T) {
	m := New(Options{Now: fixedNow})
	m = step(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m = step(m, keyFor(t, DefaultKeyMap(), keymap.ToggleASR))
	if !strings.Contains(m.View(), "unavailable: no controller") {
		t.Errorf("no reason shown:\n%s", m.View())
	}
}

// TestDoubleToggle: a second toggle while one runs is refused.
func TestDoubleToggle(t *testing.T) {
	f := newFakeDevices()
	f.gate = make(chan struct{})
	defer close(f.gate)
	m := New(testOptions(f, nil, noGPU))
	m = step(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	k := keyFor(t, DefaultKeyMap(), keymap.ToggleASR)
	m = step(m, k)
	_, cmd := m.Update(k)
	if !containsMsg(cmd, func(msg tea.Msg) bool { _, ok := msg.(common.ErrorMsg); return ok }) {
		t.Error("second toggle not refused")
	}
}
