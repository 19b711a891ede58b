package conversation

import (
	"strings"

	"github.com/charmbracelet/lipgloss"

	"parley/ui/common"
	"parley/ui/styles"
)

// labelWidth is the width of the "you"/"parley" column.
const labelWidth = 7

// maxCachedWidths bounds the renderings kept per reply.
const maxCachedWidths = 3

// render renders one entry at the current width: replies as Markdown
// (from the cache when this width was rendered before), a fact on one
// line, everything else wrapped. A fact that carries a web address (the
// browser page's) is wrapped too: cut, the address would be useless.
func (m Model) render(e *entry) []string {
	w := m.innerWidth()
	lw := min(labelWidth, w/4)
	tw := max(w-lw, 1)
	st := m.common.Styles
	label, ls, ts := labelFor(*e, st.Conversation)
	var body []string
	switch {
	case e.role == roleFact && !strings.Contains(e.text, "://"):
		body = []string{ts.Render(common.Fit(e.text, tw, st.Glyphs.Ellipsis))}
	case e.role == roleAssistant && m.md != nil:
		body = m.markdown(e, tw)
	default:
		body = m.plain(*e, tw, ts)
	}
	out := make([]string, len(body))
	pad := strings.Repeat(" ", lw)
	for i, l := range body {
		prefix := pad
		if i == 0 {
			prefix = ls.Render(common.Fit(common.Fit(label, lw-1, ""), lw, ""))
		}
		out[i] = prefix + l
	}
	return m.suffix(*e, out, w, pad)
}

// plain wraps an entry's text, marking a partial transcript or reply.
func (m Model) plain(e entry, tw int, ts lipgloss.Style) []string {
	text := e.text
	switch {
	case e.interrupted:
	case e.partial && e.role == roleUser:
		text += m.common.Styles.Glyphs.Ellipsis
	case e.partial:
		text += m.common.Styles.Glyphs.Cursor
	}
	wrapped := common.Wrap(text, tw)
	for i, l := range wrapped {
		wrapped[i] = ts.Render(l)
	}
	return wrapped
}

// markdown renders a reply, from the entry's cache when it holds this
// width; a reply that cannot be rendered is shown as plain text.
func (m Model) markdown(e *entry, tw int) []string {
	if lines, ok := e.cache[tw]; ok {
		return lines
	}
	lines, err := m.md.Render(e.text, tw)
	if err != nil || strings.TrimSpace(e.text) == "" {
		return m.plain(entry{role: e.role, text: e.text}, tw, m.common.Styles.Conversation.Text)
	}
	if e.cache == nil || len(e.cache) >= maxCachedWidths {
		e.cache = make(map[int][]string, 1)
	}
	e.cache[tw] = lines
	return lines
}

// suffix marks a streaming reply with the cursor and an interrupted one
// with [interrupted], after its last line or on a line of its own.
func (m Model) suffix(e entry, lines []string, w int, pad string) []string {
	st := m.common.Styles
	var s string
	switch {
	case e.interrupted:
		s = " " + st.Conversation.Interrupted.Render("[interrupted]")
	case e.partial && e.role == roleAssistant && m.md != nil:
		s = st.Glyphs.Cursor
	default:
		return lines
	}
	out := append([]string(nil), lines...) // lines may be the cache's
	last := out[len(out)-1]
	if common.Width(last)+common.Width(s) <= w {
		out[len(out)-1] = last + s
		return out
	}
	return append(out, pad+strings.TrimPrefix(s, " "))
}

// hintLines are the first-turn hint under the transcript, while shown.
func (m Model) hintLines() []string {
	if m.hint == "" || m.hintDone {
		return nil
	}
	line := m.common.Styles.Muted.Render(common.Fit(m.hint, m.innerWidth(), m.common.Styles.Glyphs.Ellipsis))
	if len(m.entries) == 0 {
		return []string{line}
	}
	return []string{"", line}
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
	case e.role == roleFact:
		return e.fact, cs.Notice, cs.Notice
	default:
		return "info", cs.Notice, cs.Notice
	}
}
