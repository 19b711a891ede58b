package stages

import (
	"fmt"

	"parley/ui/common"
)

// Column widths of the stage table.
const (
	nameW  = 9
	stateW = 10
	numW   = 7
)

// Title is the box title.
func (m Model) Title() string {
	return "pipeline"
}

// View renders the pane: a one-line summary when collapsed, else a box.
func (m Model) View() string {
	return m.common.Pane(m.Title(), m.Summary, m.body)
}

// Summary is the one-line form: voice-to-voice, then each stage's last.
func (m Model) Summary() string {
	v := m.series[voiceToVoice]
	st := m.common.Styles
	head := st.Status.State.Render("v2v "+common.FormatMS(v.last)) +
		st.Muted.Render(fmt.Sprintf(" p50 %s p95 %s", common.FormatMS(v.p50), common.FormatMS(v.p95)))
	parts := []string{head}
	for _, i := range []int{stageASR, stageLLM, stageTTS} {
		parts = append(parts, fmt.Sprintf("%s %s", stageNames[i], common.FormatMS(m.series[i].last)))
	}
	return common.JoinNonEmpty("  ", parts...)
}

// body is the boxed form: headline, table header, one row per stage.
func (m Model) body(w int) []string {
	st := m.common.Styles
	v := m.series[voiceToVoice]
	head := st.Status.State.Render("voice-to-voice "+common.FormatMS(v.last)) +
		st.Muted.Render(fmt.Sprintf("  p50 %s  p95 %s", common.FormatMS(v.p50), common.FormatMS(v.p95)))
	if turns := fmt.Sprintf("  turns %d", m.turns); common.Width(head+turns) <= w {
		head += st.Muted.Render(turns)
	}
	lines := []string{head}
	if rows := m.common.Height - 2 - 8; rows >= 1 {
		lines = append(lines, m.trendRows(v, w, rows)...)
	}
	lines = append(lines, st.Header.Render(row("STAGE", "STATE", "LAST", "P50", "P95")))
	for i := stageVAD; i <= stagePlayback; i++ {
		lines = append(lines, m.stageRow(i, w))
	}
	if m.lastRTF > 0 {
		lines = append(lines, st.Muted.Render(fmt.Sprintf("TTS real-time factor %.2f", m.lastRTF)))
	}
	if c := m.spec; c.n > 0 {
		lines = append(lines, st.Muted.Render(common.Fit(fmt.Sprintf("turn decided %s; early answers %d used, %d dropped",
			common.FormatMS(c.lastDecision), c.used, c.cancelled), w, "")))
	}
	return lines
}

// trendRows chart the voice-to-voice history across the pane, labelled
// with the largest value shown.
func (m Model) trendRows(s series, w, rows int) []string {
	lines := s.spark.RenderRows(m.common.Styles.Glyphs, max(w-nameW, 0), rows, 0)
	for i := range lines {
		label := ""
		if i == 0 {
			label = "trend"
		}
		lines[i] = common.Fit(label, nameW, "") + lines[i]
	}
	return lines
}

// stageRow renders one stage's state, figures and sparkline.
func (m Model) stageRow(i, w int) string {
	s := m.series[i]
	r := row(stageNames[i], m.stageState(i), common.FormatMS(s.last), common.FormatMS(s.p50), common.FormatMS(s.p95))
	trend := w - common.Width(r) - 1
	if trend < 4 {
		return r
	}
	return r + " " + s.spark.Render(m.common.Styles.Glyphs, trend, 0)
}

// row lays out the table columns.
func row(name, state, last, p50, p95 string) string {
	return fmt.Sprintf("%-*s%-*s%*s%*s%*s", nameW, name, stateW, state, numW-1, last, numW, p50, numW, p95)
}
