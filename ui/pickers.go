package ui

import (
	"context"
	"errors"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"parley/ui/picker"
)

// Picker kinds: what the open picker chooses.
const (
	pickDevice = "device"
	pickModel  = "model"
	pickCode   = "code"
)

// openDevicePicker shows the device picker and asks for the devices.
func (m Model) openDevicePicker() (tea.Model, tea.Cmd) {
	return m.openPicker(pickDevice, "microphone and speaker", func(ctx context.Context, c Controller) resultMsg {
		capture, playback, err := c.Devices(ctx)
		return devicesListedMsg{capture: capture, playback: playback, err: err}
	})
}

// openModelPicker shows the model picker and asks for the models.
func (m Model) openModelPicker() (tea.Model, tea.Cmd) {
	return m.openPicker(pickModel, "LLM model", func(ctx context.Context, c Controller) resultMsg {
		names, err := c.Models(ctx)
		return modelsListedMsg{names: names, err: err}
	})
}

// openPicker shows a picker of kind, loading, and asks the controller for
// its items with list; without a controller it says why it cannot.
func (m Model) openPicker(kind, title string, list func(context.Context, Controller) resultMsg) (tea.Model, tea.Cmd) {
	c := m.opts.Controller
	if c == nil {
		m.status.SetError(errors.New(title + ": unavailable: " + m.disabled["toggle"]))
		return m, nil
	}
	m.picker.Open(kind, title)
	return m, m.request(func(ctx context.Context) resultMsg { return list(ctx, c) })
}

// request runs one Controller call in a command, bounded by
// RequestTimeout.
func (m Model) request(call func(ctx context.Context) resultMsg) tea.Cmd {
	timeout := m.opts.RequestTimeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		return call(ctx)
	}
}

// pickerKey gives a key to the open picker and acts on the item picked.
func (m Model) pickerKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	kind := m.picker.Kind()
	var out picker.Outcome
	m.picker, out = m.picker.HandleKey(k)
	if !out.Picked {
		return m, nil
	}
	it := out.Item
	c := m.opts.Controller
	switch kind {
	case pickCode:
		return m, copyCmd(m.opts.Clipboard, it.Value, "code block")
	case pickDevice:
		m.status.SetNotice("switching " + it.Group + " to " + it.Title + m.common.Styles.Glyphs.Ellipsis)
		return m, m.request(func(ctx context.Context) resultMsg {
			err := c.SwitchDevice(ctx, DeviceKind(it.Group), it.Value)
			return done(it.Group+" now on "+it.Title, it.Group+" device", err)
		})
	case pickModel:
		return m, m.request(func(context.Context) resultMsg {
			return done("model "+it.Value+" answers from the next turn", "model "+it.Value, c.SetModel(it.Value))
		})
	}
	return m, nil
}

// devicesListedMsg carries the devices for the picker.
type devicesListedMsg struct {
	capture, playback []DeviceChoice
	err               error
}

// apply implements resultMsg: the picker lists microphones, then
// speakers, each with its id as `parley devices` prints it.
func (r devicesListedMsg) apply(m *Model) tea.Cmd {
	if m.picker.Kind() != pickDevice {
		return nil // closed meanwhile
	}
	if r.err != nil {
		m.picker.SetError(fmt.Errorf("list devices: %w", r.err))
		return nil
	}
	var items []picker.Item
	for _, side := range []struct {
		kind  DeviceKind
		title string
		list  []DeviceChoice
	}{{Capture, "capture (microphone)", r.capture}, {Playback, "playback (speaker)", r.playback}} {
		items = append(items, picker.Item{Title: side.title, Heading: true})
		for _, d := range side.list {
			items = append(items, deviceItem(side.kind, d))
		}
	}
	m.picker.SetItems(items)
	return nil
}

// deviceItem is one device's row.
func deviceItem(kind DeviceKind, d DeviceChoice) picker.Item {
	title := d.Name
	if d.Default {
		title += " (default)"
	}
	return picker.Item{Title: title, Detail: d.ID, Value: d.ID, Group: string(kind), Current: d.Current}
}

// modelsListedMsg carries the LLM server's models for the picker.
type modelsListedMsg struct {
	names []string
	err   error
}

// apply implements resultMsg: the model in use is marked.
func (r modelsListedMsg) apply(m *Model) tea.Cmd {
	if m.picker.Kind() != pickModel {
		return nil
	}
	if r.err != nil {
		m.picker.SetError(fmt.Errorf("list models: %w", r.err))
		return nil
	}
	current := m.status.Info().LLM
	items := make([]picker.Item, len(r.names))
	for i, n := range r.names {
		items[i] = picker.Item{Title: n, Value: n, Current: n == current}
	}
	m.picker.SetItems(items)
	return nil
}
