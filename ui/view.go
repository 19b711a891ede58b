package ui

import (
	"strings"

	"parley/ui/common"
)

// View implements tea.Model. Every frame has exactly the terminal's size,
// so the renderer repaints only changed lines and 10 Hz updates do not
// flicker.
func (m Model) View() string {
	switch {
	case m.width <= 0 || m.height <= 0:
		return ""
	case m.fatal != nil:
		return m.fatalView()
	case m.help:
		return m.helpView()
	}
	l := m.layout
	conv := m.conv.View()
	if m.picker.IsOpen() {
		conv = m.picker.View()
	}
	return compose(m.width, m.height, []placed{
		{l.Conversation, conv},
		{l.Input, m.input.View()},
		{l.Stages, m.stages.View()},
		{l.GPU, m.gpu.View()},
		{l.Devices, m.devices.View()},
		{l.Status, m.status.View()},
	})
}

// placed is a rendered pane and its rect.
type placed struct {
	r    Rect
	text string
}

// compose lays rendered panes onto a w x h screen. Panes are exactly their
// rect's size and tile the screen, so each screen line is its panes' lines
// joined left to right; gaps are filled with spaces.
func compose(w, h int, panes []placed) string {
	rows := make([][]placed, h)
	for _, p := range panes {
		if p.r.Empty() {
			continue
		}
		lines := strings.Split(p.text, "\n")
		for i := 0; i < p.r.H && p.r.Y+i < h; i++ {
			seg := ""
			if i < len(lines) {
				seg = lines[i]
			}
			rows[p.r.Y+i] = append(rows[p.r.Y+i], placed{Rect{X: p.r.X, W: p.r.W}, seg})
		}
	}
	out := make([]string, h)
	for y, segs := range rows {
		out[y] = joinRow(segs, w)
	}
	return strings.Join(out, "\n")
}

// joinRow joins one screen line's segments in x order, padding gaps.
func joinRow(segs []placed, w int) string {
	var sb strings.Builder
	x := 0
	for len(segs) > 0 {
		i := leftmost(segs)
		s := segs[i]
		segs = append(segs[:i], segs[i+1:]...)
		if s.r.X > x {
			sb.WriteString(strings.Repeat(" ", s.r.X-x))
		}
		sb.WriteString(common.Fit(s.text, s.r.W, ""))
		x = s.r.X + s.r.W
	}
	if x < w {
		sb.WriteString(strings.Repeat(" ", w-x))
	}
	return sb.String()
}

// leftmost returns the index of the segment with the smallest x.
func leftmost(segs []placed) int {
	best := 0
	for i, s := range segs {
		if s.r.X < segs[best].r.X {
			best = i
		}
	}
	return best
}

// fatalView is the full-screen fatal error; any key exits.
func (m Model) fatalView() string {
	st := m.common.Styles
	w := m.width - 4
	body := []string{""}
	for _, l := range common.Wrap(m.fatal.Error(), max(w, 1)) {
		body = append(body, " "+st.Fatal.Render(l))
	}
	if p := m.logPath(); p != "" {
		body = append(body, "", " details in the log: "+p)
	}
	body = append(body, "", " press any key to exit")
	return common.Box(st, m.width, m.height, "parley stopped", body, true)
}

// logPath is the log file to name on the fatal screen.
func (m Model) logPath() string {
	if p := m.status.LogPath(); p != "" {
		return p
	}
	return m.opts.LogPath
}
