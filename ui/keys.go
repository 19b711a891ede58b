package ui

import (
	"errors"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// handleKey runs the action bound to k. Any key first clears the status
// line's error; ctrl+c quits whatever the keymap says. While the text
// input or a picker is open it takes every other key, so letters type
// text instead of running actions.
func (m Model) handleKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	if m.fatal != nil || k.Type == tea.KeyCtrlC {
		return m, tea.Quit
	}
	m.status.ClearMessage()
	switch {
	case m.input.IsOpen():
		return m.inputKey(k)
	case m.picker.IsOpen():
		return m.pickerKey(k)
	case k.Paste: // a paste starts a typed turn
		return m.openInput(string(k.Runes))
	}
	keys := m.common.Keys
	if m.help {
		m.help = false
		if key.Matches(k, keys.Quit) {
			return m, tea.Quit
		}
		return m, nil
	}
	switch {
	case key.Matches(k, keys.Quit):
		return m, tea.Quit
	case key.Matches(k, keys.Help):
		m.help = true
	case key.Matches(k, keys.ToggleASR):
		return m.toggle("asr")
	case key.Matches(k, keys.ToggleTTS):
		return m.toggle("tts")
	case key.Matches(k, keys.Mute, keys.PushToTalk, keys.BargeIn):
		return m, m.flip(k)
	case key.Matches(k, keys.Clear):
		m.conv.Clear()
	case key.Matches(k, keys.FocusNext):
		m.setFocus((m.focus + 1) % numPanes)
	default:
		return m.chatKey(k)
	}
	return m, nil
}

// chatKey runs the typing, copying and picking actions; other keys go to
// the conversation (scrolling).
func (m Model) chatKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	keys := m.common.Keys
	switch {
	case key.Matches(k, keys.Type):
		return m.openInput("")
	case key.Matches(k, keys.Copy):
		return m.copyLast()
	case key.Matches(k, keys.CopyPick):
		return m.openCopyPicker()
	case key.Matches(k, keys.PickDevice):
		return m.openDevicePicker()
	case key.Matches(k, keys.PickModel):
		return m.openModelPicker()
	default:
		m.conv, _ = m.conv.Update(k)
	}
	return m, nil
}

// toggle starts a live device switch of model, or says why it cannot.
func (m Model) toggle(model string) (tea.Model, tea.Cmd) {
	if m.opts.Controller == nil {
		m.status.SetError(errors.New(model + " device: unavailable: " + m.disabled["toggle"]))
		return m, nil
	}
	var cmd tea.Cmd
	m.devices, cmd = m.devices.Toggle(m.opts.Controller, model, m.opts.Sources.Models, m.opts.SwitchTimeout)
	m.status.SetNotice("switching " + model + m.common.Styles.Glyphs.Ellipsis)
	return m, cmd
}

// flip toggles the mute, push-to-talk or barge-in switch and tells the
// controller in a command.
func (m *Model) flip(k tea.KeyMsg) tea.Cmd {
	keys, f := m.common.Keys, &m.flags
	var v bool
	var call func(Controller)
	switch {
	case key.Matches(k, keys.Mute):
		f.Muted = !f.Muted
		v, call = f.Muted, func(c Controller) { c.SetMuted(v) }
	case key.Matches(k, keys.PushToTalk):
		f.PushToTalk = !f.PushToTalk
		v, call = f.PushToTalk, func(c Controller) { c.SetPushToTalk(v) }
	default:
		f.BargeIn = !f.BargeIn
		v, call = f.BargeIn, func(c Controller) { c.SetBargeIn(v) }
	}
	m.status.SetFlags(m.flags)
	ctrl := m.opts.Controller
	if ctrl == nil {
		m.status.SetError(errors.New("unavailable: " + m.disabled["toggle"]))
		return nil
	}
	return controlCmd(func() { call(ctrl) })
}
