// Package devices is the devices pane: per model (VAD, ASR, TTS) the
// requested and the active device, why they differ, its GPU memory and its
// last switch. It also runs live switches (see Toggle).
package devices

import (
	"fmt"
	"sort"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"parley/gpu"
	"parley/ui/common"
)

// local is what the UI itself knows of a model's switches.
type local struct {
	pending bool          // a switch command is running
	took    time.Duration // how long the last switch call took
	at      time.Time     // when it finished
}

// Model is the devices pane.
type Model struct {
	common common.Common
	models []gpu.ModelState
	local  map[string]local
}

// New returns the pane with no device data yet.
func New(c common.Common) Model {
	return Model{common: c, local: make(map[string]local)}
}

// SetSize sets the pane's outer size.
func (m *Model) SetSize(w, h int) {
	m.common.SetSize(w, h)
}

// SetFocused marks the pane as focused or not.
func (m *Model) SetFocused(f bool) {
	m.common.Focused = f
}

// ModelCount is the number of models shown (sizes the pane).
func (m Model) ModelCount() int {
	return max(len(m.models), 3)
}

// Switching reports whether a switch of model is under way.
func (m Model) Switching(model string) bool {
	if m.local[model].pending {
		return true
	}
	s, ok := m.find(model)
	return ok && s.Switching
}

// Active returns the device model runs on, if known.
func (m Model) Active(model string) (string, bool) {
	s, ok := m.find(model)
	return s.Active, ok
}

// Update stores device states and ends switches.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ModelsSampledMsg:
		m.setModels(msg.Models)
	case common.ToggledMsg:
		m.local[msg.Model] = local{took: msg.Took, at: m.common.Now()}
		if msg.Err != nil {
			m.local[msg.Model] = local{}
		}
		if msg.Models != nil {
			m.setModels(msg.Models)
		}
	}
	return m, nil
}

// Toggle starts a live switch of model between CPU and GPU through sw, in
// a command; the pane shows "switching..." until the ToggledMsg. models,
// when set, is sampled right after the switch.
func (m Model) Toggle(sw Switcher, model string, models func() []gpu.ModelState, timeout time.Duration) (Model, tea.Cmd) {
	if m.Switching(model) {
		return m, errorCmd(fmt.Errorf("%s: a device switch is already in progress", model))
	}
	m.local[model] = local{pending: true}
	return m, toggleCmd(sw, model, models, timeout, m.common.Now)
}

// setModels stores states in display order: vad, asr, tts, then others.
func (m *Model) setModels(ms []gpu.ModelState) {
	m.models = append(m.models[:0:0], ms...)
	sort.SliceStable(m.models, func(i, j int) bool {
		return rank(m.models[i].Model) < rank(m.models[j].Model)
	})
}

// rank orders models in pipeline order.
func rank(model string) int {
	switch model {
	case "vad":
		return 0
	case "asr":
		return 1
	case "tts":
		return 2
	}
	return 3
}

// find returns the state of model.
func (m Model) find(model string) (gpu.ModelState, bool) {
	for _, s := range m.models {
		if s.Model == model {
			return s, true
		}
	}
	return gpu.ModelState{}, false
}
