// Package conversation is the scrollable transcript pane: the user's words
// (partials faint while they speak, typed turns alike), the reply rendered
// as Markdown while it streams in, interrupted replies marked, one calm line
// per start-up fact, and a hint for the first turn.
package conversation

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"parley/pipeline"
	"parley/ui/common"
	"parley/ui/markdown"
)

// RenderInterval is the least time between two renders of a reply that is
// streaming in. Rendering Markdown costs milliseconds for a long answer
// (tens for 200 lines, see markdown's BenchmarkRender) and deltas come
// token by token, so the growing answer is re-rendered at most 10 times a
// second: at once for the first delta, then on a tick while more arrive,
// and always once at the end. A render slower than a quarter of the
// interval stretches the next wait to four times its cost, so streaming
// never takes more than a quarter of a core. Between renders the screen
// keeps the last rendering, so it never flickers between raw and
// rendered text.
const RenderInterval = 100 * time.Millisecond

// renderShare is the inverse of the most CPU time streaming renders take.
const renderShare = 4

// role says who an entry is from.
type role int

const (
	roleUser role = iota
	roleAssistant
	roleNotice
	roleError
	roleFact
)

// entry is one block of the transcript.
type entry struct {
	turn        pipeline.TurnID
	role        role
	text        string
	fact        string // roleFact: what the line is about ("gpu", "llm")
	partial     bool   // user: still speaking; assistant: still streaming
	interrupted bool
	stale       bool             // text changed since lines were rendered
	lines       []string         // rendered at the current width
	cache       map[int][]string // assistant: rendered lines by width
}

// RenderTickMsg asks the pane to render the replies that grew since their
// last render; the pane schedules it itself (see RenderInterval).
type RenderTickMsg struct{}

// Model is the conversation pane.
type Model struct {
	common   common.Common
	md       *markdown.Renderer
	entries  []entry
	total    int // rendered lines over all entries and the hint
	offset   int // lines scrolled up from the bottom
	ticking  bool
	wait     time.Duration // until the next streaming render
	hint     string
	hintDone bool // the user has taken a turn: the hint is gone for good
}

// New returns an empty conversation pane; md renders the answers (nil
// shows them as plain text).
func New(c common.Common, md *markdown.Renderer) Model {
	return Model{common: c, md: md}
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

// SetHint sets the line shown under an empty conversation until the
// user's first turn.
func (m *Model) SetHint(h string) {
	m.hint = h
	m.recount()
}

// Update handles pipeline events, render ticks and scroll keys.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case common.EventMsg:
		return m, m.apply(msg.Event)
	case RenderTickMsg:
		return m, m.renderTick()
	case tea.KeyMsg:
		m.scroll(msg)
	}
	return m, nil
}

// Clear empties the transcript.
func (m *Model) Clear() {
	m.entries, m.offset = nil, 0
	m.recount()
}

// Len is the number of transcript entries.
func (m Model) Len() int {
	return len(m.entries)
}

// LastAnswer is the text of the newest reply (as written, Markdown and
// all), or "" when there is none.
func (m Model) LastAnswer() string {
	for i := len(m.entries) - 1; i >= 0; i-- {
		if m.entries[i].role == roleAssistant {
			return m.entries[i].text
		}
	}
	return ""
}

// Restore shows turns of an earlier conversation (parley --continue)
// before anything else. They carry turn 0, so the new session's turns,
// which count from 1 again, never update them.
func (m *Model) Restore(turns []pipeline.Turn) {
	for _, t := range turns {
		m.add(entry{role: roleUser, text: t.User})
		if t.Answer != "" || t.Interrupted {
			m.add(entry{role: roleAssistant, text: t.Answer, interrupted: t.Interrupted})
		}
	}
}

// apply folds one pipeline event into the transcript.
func (m *Model) apply(ev pipeline.Event) tea.Cmd {
	switch ev.Kind {
	case pipeline.KindPartial:
		m.upsert(ev.Turn, roleUser, ev.Text, true, false)
	case pipeline.KindHeard:
		m.upsert(ev.Turn, roleUser, ev.Text, false, false)
	case pipeline.KindAnswerDelta:
		return m.delta(ev.Turn, ev.Text)
	case pipeline.KindAnswer:
		m.upsert(ev.Turn, roleAssistant, ev.Text, false, false)
	case pipeline.KindInterrupted:
		m.interrupt(ev.Turn, ev.Text)
	case pipeline.KindInfo:
		m.notice(ev)
	case pipeline.KindError:
		m.add(entry{turn: ev.Turn, role: roleError, text: ev.Text})
	}
	return nil
}

// notice shows an info event: a start-up fact as one line (replacing an
// older line about the same fact), any other notice in full.
func (m *Model) notice(ev pipeline.Event) {
	if ev.Fact == "" {
		m.add(entry{turn: ev.Turn, role: roleNotice, text: ev.Text})
		return
	}
	for i := len(m.entries) - 1; i >= 0 && i >= len(m.entries)-8; i-- {
		if e := &m.entries[i]; e.role == roleFact && e.fact == ev.Fact {
			e.text = ev.Text
			m.rerenderEntry(i)
			return
		}
	}
	m.add(entry{turn: ev.Turn, role: roleFact, fact: ev.Fact, text: ev.Text})
}

// delta adds a piece of a streaming reply. The first piece renders at once;
// later ones wait for the render tick (see RenderInterval).
func (m *Model) delta(turn pipeline.TurnID, text string) tea.Cmd {
	i := m.find(turn, roleAssistant)
	if i < 0 {
		m.timed(func() { m.add(entry{turn: turn, role: roleAssistant, text: text, partial: true}) })
		return m.armTick()
	}
	e := &m.entries[i]
	e.text, e.partial, e.cache = e.text+text, true, nil
	if m.ticking {
		e.stale = true
		return nil
	}
	m.timed(func() { m.rerenderEntry(i) })
	return m.armTick()
}

// timed runs a render of a streaming reply and sets the wait before the
// next one from its cost.
func (m *Model) timed(render func()) {
	t0 := m.common.Now()
	render()
	m.wait = max(RenderInterval, renderShare*m.common.Now().Sub(t0))
}

// armTick schedules the next render of a streaming reply.
func (m *Model) armTick() tea.Cmd {
	if m.ticking {
		return nil
	}
	m.ticking = true
	return tea.Tick(max(m.wait, RenderInterval), func(time.Time) tea.Msg { return RenderTickMsg{} })
}

// renderTick renders the replies whose text grew since their last render,
// and keeps ticking while any did.
func (m *Model) renderTick() tea.Cmd {
	m.ticking = false
	rendered := false
	for i := range m.entries {
		if m.entries[i].stale {
			m.timed(func() { m.rerenderEntry(i) })
			rendered = true
		}
	}
	if !rendered {
		return nil
	}
	return m.armTick()
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
	if text != e.text {
		e.cache = nil
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
	e.partial, e.interrupted, e.cache = false, true, nil
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
	if e.role == roleUser {
		m.hintDone = true
	}
	e.lines = m.render(&e)
	m.entries = append(m.entries, e)
	m.recount()
}

// rerenderEntry re-renders entry i after its text changed.
func (m *Model) rerenderEntry(i int) {
	m.entries[i].stale = false
	m.entries[i].lines = m.render(&m.entries[i])
	m.recount()
}

// rerender re-renders every entry, after a width change.
func (m *Model) rerender() {
	for i := range m.entries {
		m.entries[i].stale = false
		m.entries[i].lines = m.render(&m.entries[i])
	}
	m.recount()
}

// recount recomputes the line total; a scrolled-up view stays put.
func (m *Model) recount() {
	before := m.total
	m.total = len(m.hintLines())
	for _, e := range m.entries {
		m.total += len(e.lines)
	}
	if m.offset > 0 {
		m.offset += m.total - before
	}
	m.clampOffset()
}
