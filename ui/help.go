package ui

import (
	"fmt"

	"parley/ui/common"
	"parley/ui/keymap"
)

// helpView is the full-screen help: every action grouped by purpose, its
// keys, and why it is unavailable when it is.
func (m Model) helpView() string {
	st := m.common.Styles
	body := m.arrangeHelp(m.height - 3)
	body = append(body, st.Muted.Render(" any key closes this help; ctrl+c always quits"))
	return common.Box(st, m.width, m.height, "keys", body, true)
}

// helpColumnW is the width of a help column without the config names.
const helpColumnW = 38

// arrangeHelp fits the groups into h lines: one column with blank lines
// between groups; else two columns (without the config names when the
// screen is narrow); else one column without the blank lines.
func (m Model) arrangeHelp(h int) []string {
	blocks := m.helpBlocks(true)
	half := len(blocks) / 2
	switch {
	case lineCount(blocks)+len(blocks)-1 <= h:
		return flatten(blocks, true)
	case m.width >= 110:
		return sideBySide(flatten(blocks[:half], true), flatten(blocks[half:], true), (m.width-2)/2)
	case m.width-2 >= 2*helpColumnW:
		blocks = m.helpBlocks(false)
		return sideBySide(flatten(blocks[:half], true), flatten(blocks[half:], true), (m.width-2)/2)
	}
	return flatten(blocks, false)
}

// helpBlocks renders every group.
func (m Model) helpBlocks(names bool) [][]string {
	var blocks [][]string
	for _, g := range keymap.Groups() {
		blocks = append(blocks, m.helpBlock(g, names))
	}
	return blocks
}

// helpBlock renders one group: a heading, then key, action and, with
// names, the config name or why the action is unavailable.
func (m Model) helpBlock(g keymap.Group, names bool) []string {
	st := m.common.Styles
	lines := []string{st.Header.Render(" " + g.Title)}
	for _, a := range g.Actions {
		b, _ := m.common.Keys.Binding(a)
		h := b.Help()
		line := "   " + st.Status.Key.Render(common.Fit(h.Key, 14, "")) + " " + common.Fit(h.Desc, 19, "")
		switch why := m.unavailable(a); {
		case why != "":
			line += st.Status.Error.Render(" unavailable: " + why)
		case names:
			line += st.Muted.Render(" ui.keys." + a)
		}
		lines = append(lines, line)
	}
	return lines
}

// unavailable says why an action cannot run now, or "".
func (m Model) unavailable(action string) string {
	model := map[string]string{keymap.ToggleASR: "asr", keymap.ToggleTTS: "tts"}[action]
	if model == "" && !needsController(action) {
		return ""
	}
	if why := m.disabled["toggle"]; why != "" {
		return why
	}
	return m.disabled[model]
}

// flatten joins blocks, with blank lines between them if gaps.
func flatten(blocks [][]string, gaps bool) []string {
	var out []string
	for i, b := range blocks {
		if i > 0 && gaps {
			out = append(out, "")
		}
		out = append(out, b...)
	}
	return out
}

// sideBySide puts two columns of lines next to each other.
func sideBySide(left, right []string, w int) []string {
	out := make([]string, max(len(left), len(right)))
	for i := range out {
		l, r := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out[i] = common.Fit(l, w, "") + r
	}
	return out
}

// lineCount is the total number of lines in blocks.
func lineCount(blocks [][]string) int {
	n := 0
	for _, b := range blocks {
		n += len(b)
	}
	return n
}

// String names the pane.
func (p Pane) String() string {
	names := [...]string{"conversation", "pipeline", "GPU", "devices"}
	if p < 0 || int(p) >= len(names) {
		return fmt.Sprintf("Pane(%d)", int(p))
	}
	return names[p]
}

// needsController reports whether an action asks the pipeline for
// something, and so is unavailable without a controller.
func needsController(action string) bool {
	switch action {
	case keymap.Mute, keymap.PushToTalk, keymap.BargeIn, keymap.Type, keymap.PickDevice, keymap.PickModel:
		return true
	}
	return false
}
