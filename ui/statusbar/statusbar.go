// Package statusbar is the bottom of the screen: a status line (pipeline
// state, live input level, VAD state, engines and their devices, switches
// such as mute) and a line for errors, notices or the short help.
package statusbar

import (
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"parley/gpu"
	"parley/pipeline"
	"parley/ui/common"
)

// LevelSource returns the input's latest RMS and peak (0-1); it must not
// block (audio stores them in atomics).
type LevelSource func() (rms, peak float32)

// Flags are the user's audio switches, shown on the status line.
type Flags struct {
	// Muted is true while the microphone is muted.
	Muted bool
	// PushToTalk is true while push-to-talk is on.
	PushToTalk bool
	// BargeIn is true when speaking over a reply interrupts it.
	BargeIn bool
}

// Model is the status bar.
type Model struct {
	common   common.Common
	level    LevelSource
	interval time.Duration
	act      common.Activity
	rms      float32
	sampled  bool
	info     common.StatusInfo
	models   []gpu.ModelState
	flags    Flags
	err      string
	notice   string
}

// New returns the status bar sampling level every interval (nil: no meter).
func New(c common.Common, level LevelSource, interval time.Duration) Model {
	if interval <= 0 {
		interval = 50 * time.Millisecond
	}
	return Model{common: c, level: level, interval: interval, act: common.Activity{State: pipeline.StateListening}}
}

// Init starts the level meter's sampling.
func (m Model) Init() tea.Cmd {
	return levelCmd(m.level, m.interval)
}

// SetSize sets the bar's size (1 or 2 lines).
func (m *Model) SetSize(w, h int) {
	m.common.SetSize(w, h)
}

// SetFlags shows the user's audio switches.
func (m *Model) SetFlags(f Flags) {
	m.flags = f
}

// SetError shows a recoverable error until ClearMessage.
func (m *Model) SetError(err error) {
	if err != nil {
		m.err, m.notice = err.Error(), ""
	}
}

// SetNotice shows a notice until ClearMessage.
func (m *Model) SetNotice(s string) {
	m.err, m.notice = "", s
}

// ClearMessage removes the error or notice (called on every key).
func (m *Model) ClearMessage() {
	m.err, m.notice = "", ""
}

// Err is the error shown, or "".
func (m Model) Err() string {
	return m.err
}

// Update folds events, samples and switch results into the bar.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case levelSampledMsg:
		m.rms, m.sampled = msg.rms, true
		return m, levelCmd(m.level, m.interval)
	case common.EventMsg:
		m.apply(msg.Event)
	case common.PipelineStoppedMsg:
		m.act.Stop()
		m.SetNotice("pipeline stopped; press q to quit")
	case common.ModelsSampledMsg:
		m.models, m.info = msg.Models, msg.Info
	case common.ToggledMsg:
		m.toggled(msg)
	case common.ErrorMsg:
		m.SetError(msg.Err)
	}
	return m, nil
}

// apply folds one pipeline event into the bar.
func (m *Model) apply(ev pipeline.Event) {
	m.act.Apply(ev)
	if ev.Kind == pipeline.KindError {
		m.err, m.notice = ev.Text, ""
	}
}

// toggled reports a finished switch: the error, or the new device.
func (m *Model) toggled(msg common.ToggledMsg) {
	if msg.Err != nil {
		m.SetError(fmt.Errorf("%s device: %w", msg.Model, msg.Err))
		return
	}
	if msg.Models != nil {
		m.models = msg.Models
	}
	dev := "its other device"
	for _, s := range m.models {
		if s.Model == msg.Model {
			dev = s.Active
		}
	}
	m.SetNotice(fmt.Sprintf("%s now on %s", msg.Model, dev))
}

// Info is the engine info last sampled.
func (m Model) Info() common.StatusInfo {
	return m.info
}

// LogPath is the log file named by the engine info, or "".
func (m Model) LogPath() string {
	return m.info.LogPath
}
