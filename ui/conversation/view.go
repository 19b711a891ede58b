package conversation

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"parley/ui/common"
)

// View renders the visible window of the transcript in a box.
func (m Model) View() string {
	c := m.common
	if !m.boxed() {
		return common.Lines(m.visible(), c.Width, c.Height, c.Styles.Glyphs.Ellipsis)
	}
	return common.Box(c.Styles, c.Width, c.Height, m.Title(), m.visible(), c.Focused)
}

// boxed reports whether the pane is big enough to spend cells on a box.
func (m Model) boxed() bool {
	return m.common.Width >= 24 && m.common.Height >= 6
}

// Title is the box title; it says how far the view is scrolled.
func (m Model) Title() string {
	if m.offset > 0 {
		return fmt.Sprintf("conversation (%d lines below)", m.offset)
	}
	return "conversation"
}

// bodyHeight is the number of transcript lines the box shows.
func (m Model) bodyHeight() int {
	if !m.boxed() {
		return m.common.Height
	}
	return m.common.Height - 2
}

// innerWidth is the width transcript lines are wrapped to.
func (m Model) innerWidth() int {
	if !m.boxed() {
		return m.common.Width
	}
	return m.common.Width - 2
}

// visible returns the transcript lines in view, newest at the bottom.
func (m Model) visible() []string {
	h := m.bodyHeight()
	if h <= 0 || m.total == 0 {
		return nil
	}
	end := m.total - m.offset
	start := max(end-h, 0)
	out := make([]string, 0, end-start)
	n := 0
	take := func(lines []string) bool {
		if n+len(lines) <= start {
			n += len(lines)
			return true
		}
		for _, l := range lines {
			if n >= start && n < end {
				out = append(out, l)
			}
			n++
		}
		return n < end
	}
	for _, e := range m.entries {
		if !take(e.lines) {
			return out
		}
	}
	take(m.hintLines())
	return out
}

// scroll moves the view for the scroll keys.
func (m *Model) scroll(msg tea.KeyMsg) {
	k := m.common.Keys
	page := max(m.bodyHeight()-1, 1)
	switch {
	case key.Matches(msg, k.ScrollUp):
		m.offset++
	case key.Matches(msg, k.ScrollDown):
		m.offset--
	case key.Matches(msg, k.PageUp):
		m.offset += page
	case key.Matches(msg, k.PageDown):
		m.offset -= page
	case key.Matches(msg, k.ScrollTop):
		m.offset = m.total
	case key.Matches(msg, k.ScrollBottom):
		m.offset = 0
	}
	m.clampOffset()
}

// clampOffset keeps the scroll offset within the transcript.
func (m *Model) clampOffset() {
	m.offset = min(max(m.offset, 0), max(m.total-m.bodyHeight(), 0))
}
