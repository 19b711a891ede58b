// Package conversation is the scrollable transcript pane: the user's words
// (partials faint while they speak), the reply streaming in as it is
// generated, interrupted replies marked, and pipeline notices.
package conversation

import (
	tea "github.com/charmbracelet/bubbletea"

	"parley/pipeline"
	"parley/ui/common"
)

// role says who an entry is from.
type role int

const (
	roleUser role = iota
	roleAssistant
	roleNotice
	roleError
)

// entry is one block of the transcript.
type entry struct {
	turn        pipeline.TurnID
	role        role
	text        string
	partial     bool // user: still speaking; assistant: still streaming
	interrupted bool
	lines       []string // rendered at the current width
}

// Model is the conversation pane.
type Model struct {
	common  common.Common
	entries []entry
	total   int // rendered lines over all entries
	offset  int // lines scrolled up from the bottom
}

// New returns an empty conversation pane.
func New(c common.Common) Model {
	return Model{common: c}
}

// SetSize sets the pane's outer size and re-wraps the transcript.
func (m *Model) SetSize(w, h int) {
	old := m.common.Width
	m.common.SetSize(w, h)
	if old != m.common.Width {
		m.rerender()
	}
	m.clampOffset()
}

// SetFocused marks the pane as focused or not.
func (m *Model) SetFocused(f bool) {
	m.common.Focused = f
}

// Update handles pipeline events and scroll keys.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case common.EventMsg:
		m.apply(msg.Event)
	case tea.KeyMsg:
		m.scroll(msg)
	}
	return m, nil
}

// Clear empties the transcript.
func (m *Model) Clear() {
	m.entries, m.total, m.offset = nil, 0, 0
}

// Len is the number of transcript entries.
func (m Model) Len() int {
	return len(m.entries)
}

// apply folds one pipeline event into the transcript.
func (m *Model) apply(ev pipeline.Event) {
	switch ev.Kind {
	case pipeline.KindPartial:
		m.upsert(ev.Turn, roleUser, ev.Text, true, false)
	case pipeline.KindHeard:
		m.upsert(ev.Turn, roleUser, ev.Text, false, false)
	case pipeline.KindAnswerDelta:
		m.upsert(ev.Turn, roleAssistant, ev.Text, true, true)
	case pipeline.KindAnswer:
		m.upsert(ev.Turn, roleAssistant, ev.Text, false, false)
	case pipeline.KindInterrupted:
		m.interrupt(ev.Turn, ev.Text)
	case pipeline.KindInfo:
		m.add(entry{turn: ev.Turn, role: roleNotice, text: ev.Text})
	case pipeline.KindError:
		m.add(entry{turn: ev.Turn, role: roleError, text: ev.Text})
	}
}

// upsert updates the latest entry of turn and role, or adds one. With
// appendText the text is a delta added to what is there.
func (m *Model) upsert(turn pipeline.TurnID, r role, text string, partial, appendText bool) {
	i := m.find(turn, r)
	if i < 0 {
		m.add(entry{turn: turn, role: r, text: text, partial: partial})
		return
	}
	e := &m.entries[i]
	if appendText {
		text = e.text + text
	}
	e.text, e.partial = text, partial
	m.rerenderEntry(i)
}

// interrupt marks the reply of turn as cut short; text, when given, is
// what was said before the cut.
func (m *Model) interrupt(turn pipeline.TurnID, text string) {
	i := m.find(turn, roleAssistant)
	if i < 0 {
		m.add(entry{turn: turn, role: roleAssistant, text: text, interrupted: true})
		return
	}
	e := &m.entries[i]
	e.partial, e.interrupted = false, true
	m.rerenderEntry(i)
}

// find returns the index of the entry of turn and role, searching the
// recent entries only (a turn's entries are near the end), or -1.
func (m *Model) find(turn pipeline.TurnID, r role) int {
	for i := len(m.entries) - 1; i >= 0 && i >= len(m.entries)-8; i-- {
		if e := m.entries[i]; e.turn == turn && e.role == r {
			return i
		}
	}
	return -1
}

// add appends an entry, keeping a scrolled view where it was.
func (m *Model) add(e entry) {
	e.lines = m.render(e)
	m.entries = append(m.entries, e)
	m.grow(len(e.lines))
}

// rerenderEntry re-wraps entry i after its text changed.
func (m *Model) rerenderEntry(i int) {
	before := len(m.entries[i].lines)
	m.entries[i].lines = m.render(m.entries[i])
	m.grow(len(m.entries[i].lines) - before)
}

// grow accounts for d new lines; a scrolled-up view stays put.
func (m *Model) grow(d int) {
	m.total += d
	if m.offset > 0 {
		m.offset += d
	}
	m.clampOffset()
}

// rerender re-wraps every entry, after a width change.
func (m *Model) rerender() {
	m.total = 0
	for i := range m.entries {
		m.entries[i].lines = m.render(m.entries[i])
		m.total += len(m.entries[i].lines)
	}
}
