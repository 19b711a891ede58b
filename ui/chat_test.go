package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"parley/pipeline"
	"parley/ui/common"
	"parley/ui/keymap"
)

// remappedChat rebinds the new actions, so the tests below press
// configured keys, not literal ones.
func remappedChat(t *testing.T) KeyMap {
	t.Helper()
	km, err := ParseKeyMap(map[string][]string{
		keymap.Type: {"ctrl+t"}, keymap.Copy: {"alt+c"}, keymap.CopyPick: {"f6"},
		keymap.PickDevice: {"D"}, keymap.PickModel: {"f7"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return km
}

// chatModel is a model at 120x40 with km, and its fake controller.
func chatModel(t *testing.T, km KeyMap) (Model, *fakeDevices) {
	t.Helper()
	f := newFakeDevices()
	o := testOptions(f, nil, noGPU)
	o.Keys = &km
	m := step(New(o), tea.WindowSizeMsg{Width: 120, Height: 40})
	return m, f
}

// press runs the key and the command it returns.
func pressKey(m Model, k tea.KeyMsg) Model {
	next, cmd := m.Update(k)
	return run(next.(Model), cmd)
}

func typeRunes(m Model, s string) Model {
	for _, r := range s {
		m = pressKey(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return m
}

func forEachKeymap(t *testing.T, test func(t *testing.T, km KeyMap)) {
	for name, km := range map[string]KeyMap{"default": DefaultKeyMap(), "remapped": remappedChat(t)} {
		t.Run(name, func(t *testing.T) { test(t, km) })
	}
}

// TestTypeSendsATurn: the type key opens the input; letters bound to
// actions then type text (nothing mutes, nothing quits); Enter sends the
// text through the controller, and the turn shows as the pipeline's
// events come back.
func TestTypeSendsATurn(t *testing.T) {
	forEachKeymap(t, func(t *testing.T, km KeyMap) {
		m, f := chatModel(t, km)
		m = pressKey(m, keyFor(t, km, keymap.Type))
		if !m.input.IsOpen() || m.layout.Input.Empty() {
			t.Fatal("input not open")
		}
		m = typeRunes(m, "ma? ")
		next, cmd := m.Update(keyFor(t, km, keymap.Quit))
		if isQuit(cmd) {
			t.Fatal("the quit key quit while typing")
		}
		m = next.(Model)
		m = pressKey(m, tea.KeyMsg{Type: tea.KeyCtrlJ})
		m = typeRunes(m, "why")
		m = pressKey(m, tea.KeyMsg{Type: tea.KeyEnter})
		if want := []string{"ma? q\nwhy"}; !slices.Equal(f.submitted, want) || m.flags.Muted || len(f.calls) > 0 {
			t.Fatalf("submitted %q (want %q), muted %v, toggles %v", f.submitted, want, m.flags.Muted, f.calls)
		}
		if m.input.IsOpen() || !m.layout.Input.Empty() {
			t.Fatal("input still open after sending")
		}
		m = step(m, common.EventMsg{Event: ev(pipeline.KindHeard, 1, "ma? q\nwhy")})
		if v := m.View(); !strings.Contains(v, "you    ma? q") || strings.Contains(v, "to type") {
			t.Fatalf("typed turn not shown, or hint still there:\n%s", v)
		}
	})
}

// TestSendFailureKeepsText: a typed turn the pipeline refuses comes back
// into the input with the error shown.
func TestSendFailureKeepsText(t *testing.T) {
	m, f := chatModel(t, DefaultKeyMap())
	f.submitErr = errors.New("typed turn: pipeline stopped")
	m = pressKey(m, keyFor(t, DefaultKeyMap(), keymap.Type))
	m = typeRunes(m, "hello")
	m = pressKey(m, tea.KeyMsg{Type: tea.KeyEnter})
	if v := m.View(); !m.input.IsOpen() || !strings.Contains(v, "send: typed turn: pipeline stopped") || !strings.Contains(v, "hello") {
		t.Fatalf("open %v:\n%s", m.input.IsOpen(), v)
	}
}

// TestPasteOpensInput: a paste with the input closed starts a typed turn
// holding the paste instead of running the keys in it.
func TestPasteOpensInput(t *testing.T) {
	m, _ := chatModel(t, DefaultKeyMap())
	m = pressKey(m, tea.KeyMsg{Type: tea.KeyRunes, Paste: true, Runes: []rune("q\r\nmore")})
	if !m.input.IsOpen() || m.input.Height() != 4 {
		t.Fatalf("paste: open %v height %d", m.input.IsOpen(), m.input.Height())
	}
	m = pressKey(m, tea.KeyMsg{Type: tea.KeyEsc})
	if m.input.IsOpen() {
		t.Fatal("esc did not cancel")
	}
}

// TestCopy: the copy key copies the last answer's last code block, or
// the whole answer without one, as OSC 52; the status line confirms.
func TestCopy(t *testing.T) {
	forEachKeymap(t, func(t *testing.T, km KeyMap) {
		m, f := chatModel(t, km)
		m = pressKey(m, keyFor(t, km, keymap.Copy))
		if !strings.Contains(m.View(), "copy: no answer yet") {
			t.Fatalf("no answer: %s", m.status.Err())
		}
		m = step(m, common.EventMsg{Event: ev(pipeline.KindAnswer, 1, codeAnswer+"\n```sh\ngo run .\n```\n")})
		m = pressKey(m, keyFor(t, km, keymap.Copy))
		m = step(m, common.EventMsg{Event: ev(pipeline.KindAnswer, 2, "It is **noon**.\nEnjoy.")})
		m = pressKey(m, keyFor(t, km, keymap.Copy))
		want := []string{"go run .", "It is **noon**.\nEnjoy."}
		if got := f.terminal.copied(); !slices.Equal(got, want) {
			t.Fatalf("copied %q, want %q", got, want)
		}
		if v := m.View(); !strings.Contains(v, "copied 2 lines (answer)") {
			t.Fatalf("no confirmation:\n%s", v)
		}
	})
}

// TestCopyPick: the pick key lists the code blocks; the one chosen is
// copied.
func TestCopyPick(t *testing.T) {
	forEachKeymap(t, func(t *testing.T, km KeyMap) {
		m, f := chatModel(t, km)
		m = step(m, common.EventMsg{Event: ev(pipeline.KindAnswer, 1, "```sh\ngo run .\n```\n\n"+codeAnswer)})
		m = pressKey(m, keyFor(t, km, keymap.CopyPick))
		if v := m.View(); !strings.Contains(v, "1. sh, 1 line") || !strings.Contains(v, "2. go, 7 lines") {
			t.Fatalf("picker:\n%s", v)
		}
		m = pressKey(m, keyFor(t, km, keymap.ScrollDown))
		m = pressKey(m, tea.KeyMsg{Type: tea.KeyEnter})
		got := f.terminal.copied()
		if len(got) != 1 || !strings.HasPrefix(got[0], "package main\n") || !strings.Contains(m.View(), "copied 7 lines (code block)") {
			t.Fatalf("copied %q\n%s", got, m.View())
		}
	})
}

// TestPickDevice: the device key lists microphones and speakers; the one
// chosen is switched to live.
func TestPickDevice(t *testing.T) {
	forEachKeymap(t, func(t *testing.T, km KeyMap) {
		m, f := chatModel(t, km)
		m = pressKey(m, keyFor(t, km, keymap.PickDevice))
		if v := m.View(); !strings.Contains(v, "virtmic") || !strings.Contains(v, "USB headset") {
			t.Fatalf("device picker:\n%s", v)
		}
		m = pressKey(m, keyFor(t, km, keymap.ScrollDown))
		m = pressKey(m, tea.KeyMsg{Type: tea.KeyEnter})
		if !slices.Equal(f.switched, []string{"capture virtmic"}) || !strings.Contains(m.View(), "capture now on Virtual microphone") {
			t.Fatalf("switched %v\n%s", f.switched, m.View())
		}
		m = pressKey(m, keyFor(t, km, keymap.PickDevice))
		for range 4 { // past the heading, to the last speaker
			m = pressKey(m, keyFor(t, km, keymap.ScrollDown))
		}
		m = pressKey(m, tea.KeyMsg{Type: tea.KeyEnter})
		if f.switched[len(f.switched)-1] != "playback alsa_output.usb-headset" {
			t.Fatalf("switched %v", f.switched)
		}
	})
}

// TestPickModel: the model key lists the server's models; the one chosen
// answers from the next turn; Esc closes without choosing.
func TestPickModel(t *testing.T) {
	forEachKeymap(t, func(t *testing.T, km KeyMap) {
		m, f := chatModel(t, km)
		m = pressKey(m, keyFor(t, km, keymap.PickModel))
		m = pressKey(m, tea.KeyMsg{Type: tea.KeyEsc})
		if m.picker.IsOpen() || f.model != "" {
			t.Fatal("esc chose or stayed open")
		}
		m = pressKey(m, keyFor(t, km, keymap.PickModel))
		m = pressKey(m, keyFor(t, km, keymap.ScrollDown))
		m = pressKey(m, tea.KeyMsg{Type: tea.KeyEnter})
		if f.model != "qwen2.5-coder:7b" || !strings.Contains(m.View(), "model qwen2.5-coder:7b answers from the next turn") {
			t.Fatalf("model %q\n%s", f.model, m.View())
		}
	})
}

// TestChatWithoutController: the new actions say why they cannot run.
func TestChatWithoutController(t *testing.T) {
	km := DefaultKeyMap()
	m := step(New(Options{Now: fixedNow, Keys: &km}), tea.WindowSizeMsg{Width: 100, Height: 30})
	for _, a := range []string{keymap.Type, keymap.PickDevice, keymap.PickModel} {
		m = pressKey(m, keyFor(t, km, a))
		if !strings.Contains(m.View(), "unavailable: no controller") || m.input.IsOpen() || m.picker.IsOpen() {
			t.Errorf("%s: no reason shown:\n%s", a, m.View())
		}
	}
}
