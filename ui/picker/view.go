package picker

import (
	"strings"

	"parley/ui/common"
)

// View renders the list in a box titled with what is picked, the keys to
// use on the last line.
func (m Model) View() string {
	c := m.common
	if !m.IsOpen() || c.Width <= 0 || c.Height <= 0 {
		return ""
	}
	body := m.rows(c.Width - 2)
	for len(body) < m.listHeight() {
		body = append(body, "")
	}
	body = append(body, c.Styles.Muted.Render(m.footer()))
	return common.Box(c.Styles, c.Width, c.Height, m.title, body, true)
}

// listHeight is the number of rows the box shows above the footer.
func (m Model) listHeight() int {
	return m.common.Height - 3
}

// rows renders the rows in view, or the loading or error line.
func (m Model) rows(w int) []string {
	st := m.common.Styles
	switch {
	case m.loading:
		return []string{st.Muted.Render(" loading" + st.Glyphs.Ellipsis)}
	case m.err != "":
		return common.Wrap(st.Status.Error.Render(m.err), w)
	case len(m.items) == 0:
		return []string{st.Muted.Render(" nothing to pick")}
	}
	end := min(m.offset+m.listHeight(), len(m.items))
	out := make([]string, 0, end-m.offset)
	for i := m.offset; i < end; i++ {
		out = append(out, m.row(i, w))
	}
	return out
}

// row renders item i: a marker for the cursor, the title, "(in use)" on
// the current item, and the detail, muted.
func (m Model) row(i, w int) string {
	st := m.common.Styles
	it := m.items[i]
	if it.Heading {
		return st.Header.Render(common.Fit(it.Title, w, st.Glyphs.Ellipsis))
	}
	mark := "  "
	if i == m.cursor {
		mark = st.Glyphs.Focus + " "
	}
	title := it.Title
	if it.Current {
		title += " (in use)"
	}
	line := mark + title
	if i == m.cursor {
		line = st.Status.Key.Render(line)
	}
	if it.Detail != "" {
		line += "  " + st.Muted.Render(it.Detail)
	}
	return common.Fit(line, w, st.Glyphs.Ellipsis)
}

// footer names the keys.
func (m Model) footer() string {
	dot := " " + m.common.Styles.Glyphs.Dot + " "
	keys := m.common.Keys
	return " " + strings.Join([]string{
		displayKeys(keys.ScrollUp.Keys()) + "/" + displayKeys(keys.ScrollDown.Keys()) + " move",
		"enter pick", "esc cancel",
	}, dot)
}

// displayKeys is the first key of a binding, for the footer.
func displayKeys(keys []string) string {
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}
