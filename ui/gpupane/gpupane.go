// Package gpupane is the GPU pane: per GPU its name, a utilisation bar, a
// memory bar (used / total, with this process's share), temperature and
// power against its limit, coloured at nvitop's thresholds. Missing values
// read N/A, never 0; with no GPU the pane says why.
package gpupane

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"parley/gpu"
	"parley/ui/common"
)

// Source polls every GPU once; it may block (NVML), so it runs in a command.
type Source func(ctx context.Context) gpu.Snapshot

// Model is the GPU pane.
type Model struct {
	common   common.Common
	source   Source
	interval time.Duration
	timeout  time.Duration
	snap     gpu.Snapshot
	sampled  bool
	history  map[int]*common.Sparkline // utilisation per GPU index
}

// New returns the pane polling source every interval (a nil source means
// the GPU is not monitored).
func New(c common.Common, source Source, interval time.Duration) Model {
	if interval <= 0 {
		interval = time.Second
	}
	return Model{common: c, source: source, interval: interval, timeout: 5 * time.Second,
		history: make(map[int]*common.Sparkline)}
}

// Init starts the first poll.
func (m Model) Init() tea.Cmd {
	if m.source == nil {
		return nil
	}
	return sampleCmd(m.source, m.timeout)
}

// SetSize sets the pane's outer size.
func (m *Model) SetSize(w, h int) {
	m.common.SetSize(w, h)
}

// SetFocused marks the pane as focused or not.
func (m *Model) SetFocused(f bool) {
	m.common.Focused = f
}

// GPUCount is the number of GPUs in the last sample (sizes the pane).
func (m Model) GPUCount() int {
	return len(m.snap.GPUs)
}

// Update stores samples and re-arms the poll only after each result, so
// polls never overlap however slow NVML is.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case sampledMsg:
		m.store(msg.snap)
		return m, tickCmd(m.interval)
	case pollMsg:
		return m, sampleCmd(m.source, m.timeout)
	}
	return m, nil
}

// store keeps a snapshot and extends the utilisation histories.
func (m *Model) store(s gpu.Snapshot) {
	m.snap, m.sampled = s, true
	for _, g := range s.GPUs {
		h, ok := m.history[g.Index]
		if !ok {
			sp := common.NewSparkline(256)
			h = &sp
			m.history[g.Index] = h
		}
		if g.UtilPercent != nil {
			h.Push(min(max(*g.UtilPercent, 0), 100))
		}
	}
}
