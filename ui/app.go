// Package ui is parley's terminal interface (Bubble Tea): the conversation
// (answers rendered as Markdown), a text input to type a turn, per-stage
// latency, GPU gauges, the device of each model with a live CPU/GPU
// switch, pickers for the audio devices and the LLM model, copying code to
// the clipboard, and a status line. The root model here only routes:
// global keys, then sizes, then messages to the panes, which live in their
// own packages.
package ui

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"parley/pipeline"
	"parley/ui/common"
	"parley/ui/conversation"
	"parley/ui/devices"
	"parley/ui/gpupane"
	"parley/ui/input"
	"parley/ui/markdown"
	"parley/ui/picker"
	"parley/ui/stages"
	"parley/ui/statusbar"
	"parley/ui/styles"
)

// Model is the root Bubble Tea model. Run it with
// tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx)).
type Model struct {
	opts     Options
	common   common.Common
	width    int
	height   int
	layout   Layout
	focus    Pane
	help     bool
	fatal    error
	newest   pipeline.TurnID
	flags    statusbar.Flags
	disabled map[string]string // action -> why it is unavailable

	conv    conversation.Model
	stages  stages.Model
	gpu     gpupane.Model
	devices devices.Model
	status  statusbar.Model
	input   input.Model
	picker  picker.Model
}

// New builds the UI from opts.
func New(opts Options) Model {
	opts = opts.withDefaults()
	c := common.Common{Styles: styles.Default(opts.Unicode), Keys: opts.Keys, Now: opts.Now}
	m := Model{
		opts:     opts,
		common:   c,
		flags:    statusbar.Flags{Muted: opts.Muted, PushToTalk: opts.PushToTalk, BargeIn: opts.BargeIn},
		disabled: make(map[string]string),
		stages:   stages.New(c),
		gpu:      gpupane.New(c, opts.Sources.GPU, opts.GPUInterval),
		devices:  devices.New(c),
		status:   statusbar.New(c, opts.Sources.Level, opts.LevelInterval),
		input:    input.New(c),
		picker:   picker.New(c),
	}
	m.conv = conversation.New(c, newMarkdown(opts.Unicode))
	m.conv.Restore(opts.Resumed)
	m.conv.SetHint(hint(c))
	m.status.SetFlags(m.flags)
	if opts.Controller == nil {
		m.disabled["toggle"] = "no controller (pipeline not running)"
	}
	return m
}

// Init implements tea.Model: it starts the event reader and the samplers.
func (m Model) Init() tea.Cmd {
	return tea.Batch(
		waitForEvent(m.opts.Sources.Events),
		m.gpu.Init(),
		m.status.Init(),
		sampleModelsCmd(m.opts.Sources.Models, m.opts.Sources.Info, 0),
	)
}

// Update implements tea.Model. It routes: keys to handleKey, sizes to
// every pane, pipeline events (minus stale ones) and samples to the panes,
// re-arming each stream after its message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.relayout()
		return m, nil
	case tea.KeyMsg:
		return m.handleKey(msg)
	case FatalMsg:
		m.fatal = msg.Err
		return m, nil
	case common.EventMsg:
		cmds = append(cmds, waitForEvent(m.opts.Sources.Events))
		if m.stale(msg.Event) {
			return m, tea.Batch(cmds...)
		}
	case common.ModelsSampledMsg:
		cmds = append(cmds, sampleModelsCmd(m.opts.Sources.Models, m.opts.Sources.Info, m.opts.ModelsInterval))
	case common.ToggledMsg:
		m.recordToggle(msg)
	case resultMsg:
		return m.handleResult(msg)
	}
	cmds = append(cmds, m.broadcast(msg))
	m.relayout()
	return m, tea.Batch(cmds...)
}

// broadcast hands a non-key message to every pane; each ignores what is
// not its own.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	var c [5]tea.Cmd
	m.conv, c[0] = m.conv.Update(msg)
	m.stages, c[1] = m.stages.Update(msg)
	m.gpu, c[2] = m.gpu.Update(msg)
	m.devices, c[3] = m.devices.Update(msg)
	m.status, c[4] = m.status.Update(msg)
	return tea.Batch(c[:]...)
}

// stale reports whether ev streams content of a turn that a newer turn
// (a barge-in) has replaced; it also tracks the newest turn.
func (m *Model) stale(ev pipeline.Event) bool {
	if ev.Turn > m.newest {
		m.newest = ev.Turn
		return false
	}
	if ev.Turn == m.newest {
		return false
	}
	switch ev.Kind {
	case pipeline.KindPartial, pipeline.KindAnswerDelta, pipeline.KindAnswer:
		return true
	}
	return false
}

// recordToggle remembers why a model cannot switch, for the help view.
func (m *Model) recordToggle(msg common.ToggledMsg) {
	if msg.Err != nil {
		m.disabled[msg.Model] = msg.Err.Error()
		return
	}
	delete(m.disabled, msg.Model)
}

// relayout recomputes the layout and resizes the panes if it changed.
func (m *Model) relayout() {
	l := ComputeLayout(m.width, m.height, LayoutOptions{
		GPUs: m.gpu.GPUCount(), Models: m.devices.ModelCount(), Focus: m.focus, Input: m.input.Height(),
	})
	if l == m.layout {
		return
	}
	m.layout = l
	m.conv.SetSize(l.Conversation.W, l.Conversation.H)
	m.stages.SetSize(l.Stages.W, l.Stages.H)
	m.gpu.SetSize(l.GPU.W, l.GPU.H)
	m.devices.SetSize(l.Devices.W, l.Devices.H)
	m.status.SetSize(l.Status.W, l.Status.H)
	m.input.SetSize(l.Input.W, l.Input.H)
	m.picker.SetSize(l.Conversation.W, l.Conversation.H)
}

// setFocus moves the focus and marks the focused pane.
func (m *Model) setFocus(p Pane) {
	m.focus = p
	m.conv.SetFocused(p == PaneConversation)
	m.stages.SetFocused(p == PaneStages)
	m.gpu.SetFocused(p == PaneGPU)
	m.devices.SetFocused(p == PaneDevices)
	m.relayout()
}

// newMarkdown builds the answers' renderer for the terminal: plain text
// in ASCII or NO_COLOR mode, else the style for its background. The
// background is asked before the program starts (lipgloss caches it).
func newMarkdown(unicode bool) *markdown.Renderer {
	p := lipgloss.ColorProfile()
	dark := p != termenv.Ascii && lipgloss.HasDarkBackground()
	return markdown.New(markdown.Options{Profile: p, Dark: dark, Unicode: unicode})
}
