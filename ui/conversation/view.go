package conversation

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"parley/ui/common"
	"parley/ui/styles"
)

// labelWidth is the width of the "you"/"parley" column.
const labelWidth = 7

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
	for _, e := range m.entries {
		if n+len(e.lines) <= start {
			n += len(e.lines)
			continue
		}
		for _, l := range e.lines {
			if n >= start && n < end {
				out = append(out, l)
			}
			n++
		}
		if n >= end {
			break
		}
	}
	return out
}

// render wraps and styles one entry at the current width.
func (m Model) render(e entry) []string {
	w := m.innerWidth()
	lw := min(labelWidth, w/4)
	tw := max(w-lw, 1)
	st := m.common.Styles
	label, ls, ts := labelFor(e, st.Conversation)
	text, suffix := e.text, ""
	switch {
	case e.interrupted:
		suffix = " " + st.Conversation.Interrupted.Render("[interrupted]")
	case e.partial && e.role == roleUser:
		text += st.Glyphs.Ellipsis
	case e.partial:
		text += st.Glyphs.Cursor
	}
	wrapped := common.Wrap(text, tw)
	out := make([]string, len(wrapped))
	pad := strings.Repeat(" ", lw)
	for i, l := range wrapped {
		prefix := pad
		if i == 0 {
			prefix = ls.Render(common.Fit(label, lw, ""))
		}
		out[i] = prefix + ts.Render(l)
	}
	if suffix != "" {
		out = appendSuffix(out, suffix, w, pad)
	}
	return out
}

// appendSuffix adds a marker after the last line, or on its own line.
func appendSuffix(lines []string, suffix string, w int, pad string) []string {
	last := lines[len(lines)-1]
	if common.Width(last)+common.Width(suffix) <= w {
		lines[len(lines)-1] = last + suffix
		return lines
	}
	return append(lines, pad+strings.TrimPrefix(suffix, " "))
}

// labelFor picks an entry's label and its label and text styles.
func labelFor(e entry, cs styles.ConversationStyles) (string, lipgloss.Style, lipgloss.Style) {
	switch {
	case e.role == roleUser && e.partial:
		return "you", cs.User, cs.Partial
	case e.role == roleUser:
		return "you", cs.User, cs.Text
	case e.role == roleAssistant:
		return "parley", cs.Assistant, cs.Text
	case e.role == roleError:
		return "error", cs.Error, cs.Error
	default:
		return "info", cs.Notice, cs.Notice
	}
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
