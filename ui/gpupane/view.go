package gpupane

import (
	"fmt"
	"strings"

	"parley/gpu"
	"parley/ui/common"
)

// nvitop's load thresholds, in percent.
const (
	utilLow, utilHigh = 10, 75
	memLow, memHigh   = 10, 80
)

// Title is the box title.
func (m Model) Title() string {
	return "GPU"
}

// View renders the pane: a one-line summary when collapsed, else a box.
func (m Model) View() string {
	c := m.common
	if c.Compact() {
		return common.Fit(m.Summary(), c.Width, c.Styles.Glyphs.Ellipsis)
	}
	return common.Box(c.Styles, c.Width, c.Height, m.Title(), m.body(c.Width-2, c.Height-2), c.Focused)
}

// unavailable returns the message shown instead of gauges, or "".
func (m Model) unavailable() string {
	switch {
	case m.source == nil:
		return "no GPU: not monitored"
	case !m.sampled:
		return "waiting for GPU data" + m.common.Styles.Glyphs.Ellipsis
	case m.snap.Unavailable != "":
		return "no GPU: " + m.snap.Unavailable
	case len(m.snap.GPUs) == 0:
		return "no GPU: none found"
	}
	return ""
}

// Summary is the one-line form: each GPU's load, memory and temperature.
func (m Model) Summary() string {
	if u := m.unavailable(); u != "" {
		return m.common.Styles.Muted.Render(u)
	}
	parts := make([]string, len(m.snap.GPUs))
	for i, g := range m.snap.GPUs {
		parts[i] = fmt.Sprintf("GPU%d %s %s %s", g.Index, m.utilText(g), m.memText(g, false), m.tempText(g))
	}
	return strings.Join(parts, " "+m.common.Styles.Glyphs.Dot+" ")
}

// body renders every GPU, with utilisation history when there is room.
func (m Model) body(w, h int) []string {
	if u := m.unavailable(); u != "" {
		return common.Wrap(u, w)
	}
	n := len(m.snap.GPUs)
	rows := (h - 3*n) / n // history rows per GPU
	var lines []string
	for _, g := range m.snap.GPUs {
		lines = append(lines, m.gpuLines(g, w, rows)...)
	}
	return lines
}

// gpuLines renders one GPU: header, UTL and MEM gauges, and rows of
// utilisation history (0-100 %).
func (m Model) gpuLines(g gpu.GPUSample, w, rows int) []string {
	st := m.common.Styles
	right := m.tempText(g) + "  " + m.powerText(g)
	name := common.Fit(fmt.Sprintf("%d %s", g.Index, g.Name), max(w-common.Width(right)-1, 1), st.Glyphs.Ellipsis)
	lines := []string{name + " " + right}
	lines = append(lines, m.utilMeter(g, w))
	lines = append(lines, m.memMeter(g, w))
	if h, ok := m.history[g.Index]; ok && rows > 0 {
		for i, l := range h.RenderRows(st.Glyphs, max(w-4, 0), rows, 100) {
			label := "    "
			if i == rows-1 {
				label = "UTL "
			}
			lines = append(lines, st.Gauge.Label.Render(label)+l)
		}
	}
	return lines
}

// utilMeter is the utilisation gauge.
func (m Model) utilMeter(g gpu.GPUSample, w int) string {
	st := m.common.Styles
	if g.UtilPercent == nil {
		return common.Meter(st, "UTL", w, 0, 0, "N/A", st.Gauge.NA)
	}
	u := *g.UtilPercent
	return common.Meter(st, "UTL", w, u/100, 0, fmt.Sprintf("%.0f%%", u), common.LoadStyle(st, u, utilLow, utilHigh))
}

// memMeter is the memory gauge with this process's share, and its size
// after the gauge when the pane is wide enough.
func (m Model) memMeter(g gpu.GPUSample, w int) string {
	st := m.common.Styles
	if g.MemUsedMiB == nil || g.MemTotalMiB == nil || *g.MemTotalMiB <= 0 {
		return common.Meter(st, "MEM", w, 0, 0, "N/A", st.Gauge.NA)
	}
	used, total := *g.MemUsedMiB, *g.MemTotalMiB
	share, self := 0.0, ""
	if g.ProcessMiB != nil {
		share = *g.ProcessMiB / total
		self = " self " + common.FormatMiB(*g.ProcessMiB)
	}
	if w < 40 {
		self = ""
	}
	style := common.LoadStyle(st, used/total*100, memLow, memHigh)
	return common.Meter(st, "MEM", w-common.Width(self), used/total, share, m.memText(g, true), style) +
		st.Gauge.Share.Render(self)
}

// utilText is utilisation as text, or N/A.
func (m Model) utilText(g gpu.GPUSample) string {
	if g.UtilPercent == nil {
		return "N/A"
	}
	return fmt.Sprintf("%.0f%%", *g.UtilPercent)
}

// memText is "used/total" memory, or N/A; long adds the Gi units twice.
func (m Model) memText(g gpu.GPUSample, long bool) string {
	if g.MemUsedMiB == nil || g.MemTotalMiB == nil {
		return "N/A"
	}
	if long {
		return common.FormatMiB(*g.MemUsedMiB) + "/" + common.FormatMiB(*g.MemTotalMiB)
	}
	return fmt.Sprintf("%.1f/%.0fGi", *g.MemUsedMiB/1024, *g.MemTotalMiB/1024)
}

// tempText is the core temperature, or N/A.
func (m Model) tempText(g gpu.GPUSample) string {
	if g.TempC == nil {
		return "N/A"
	}
	unit := "C"
	if m.common.Styles.Glyphs.Unicode {
		unit = "°C"
	}
	return fmt.Sprintf("%.0f%s", *g.TempC, unit)
}

// powerText is "draw/limit W"; either side may be N/A.
func (m Model) powerText(g gpu.GPUSample) string {
	f := func(p *float64) string {
		if p == nil {
			return "N/A"
		}
		return fmt.Sprintf("%.0f", *p)
	}
	if g.PowerW == nil && g.PowerLimitW == nil {
		return "N/A"
	}
	return f(g.PowerW) + "/" + f(g.PowerLimitW) + "W"
}
