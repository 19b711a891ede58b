package devices

import (
	"fmt"
	"strings"
	"time"

	"parley/gpu"
	"parley/ui/common"
)

// Column widths of the device table.
const (
	modelW = 6
	reqW   = 10
	actW   = 15
	memW   = 7
)

// Title is the box title.
func (m Model) Title() string {
	return "devices"
}

// View renders the pane: a one-line summary when collapsed, else a box.
func (m Model) View() string {
	return m.common.Pane(m.Title(), m.Summary, m.body)
}

// Summary is the one-line form: each model's active device.
func (m Model) Summary() string {
	rows := m.rows()
	if len(rows) == 0 {
		return m.common.Styles.Muted.Render("devices: no data yet")
	}
	parts := make([]string, len(rows))
	for i, s := range rows {
		parts[i] = strings.ToUpper(s.Model) + " " + m.activeText(s)
	}
	return strings.Join(parts, " "+m.common.Styles.Glyphs.Dot+" ")
}

// body is the table: header, then one row (and a reason line) per model.
func (m Model) body(w int) []string {
	st := m.common.Styles
	rows := m.rows()
	if len(rows) == 0 {
		return []string{st.Muted.Render("no device data yet")}
	}
	lines := []string{st.Header.Render(row("MODEL", "REQUESTED", "ACTIVE", "MEM", "SWITCH"))}
	for _, s := range rows {
		lines = append(lines, row(strings.ToUpper(s.Model), s.Requested, m.activeText(s), memText(s), m.switchText(s, w-modelW-reqW-actW-memW)))
		if s.FallbackReason != "" {
			arrow := "->"
			if st.Glyphs.Unicode {
				arrow = "↳"
			}
			lines = append(lines, st.Status.Flag.Render(common.Fit(strings.Repeat(" ", modelW)+arrow+" "+s.FallbackReason, w, st.Glyphs.Ellipsis)))
		}
	}
	return lines
}

// rows are the known models plus any being switched that no sample
// covers yet.
func (m Model) rows() []gpu.ModelState {
	rows := m.models
	for _, name := range []string{"vad", "asr", "tts"} {
		if _, known := m.find(name); !known && m.local[name].pending {
			rows = append(rows[:len(rows):len(rows)], gpu.ModelState{Model: name, Requested: "?", MemoryMiB: -1})
		}
	}
	return rows
}

// activeText is the active device, "switching..." or "(fallback)".
func (m Model) activeText(s gpu.ModelState) string {
	switch {
	case s.Switching || m.local[s.Model].pending:
		return "switching" + m.common.Styles.Glyphs.Ellipsis
	case s.FallbackReason != "":
		return s.Active + " (fallback)"
	}
	return s.Active
}

// memText is the model's GPU memory: N/A when unknown, - when none.
func memText(s gpu.ModelState) string {
	switch {
	case s.MemoryMiB < 0:
		return "N/A"
	case s.MemoryMiB == 0:
		return "-"
	}
	return common.FormatMiB(s.MemoryMiB)
}

// switchText is how long the last switch took and, if w allows, when it
// ended.
func (m Model) switchText(s gpu.ModelState, w int) string {
	l := m.local[s.Model]
	took := s.LastSwitch
	if took == 0 {
		took = l.took
	}
	if took == 0 {
		return "-"
	}
	t := common.FormatMS(float64(took) / float64(time.Millisecond))
	if at := " at " + l.at.Format("15:04:05"); !l.at.IsZero() && common.Width(t+at) <= w {
		t += at
	}
	return t
}

// row lays out the table columns.
func row(model, req, act, mem, sw string) string {
	return fmt.Sprintf("%-*s%-*s%-*s%-*s%s", modelW, model, reqW, req, actW, act, memW, mem, sw)
}
