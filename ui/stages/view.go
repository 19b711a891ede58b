package stages

import (
	"fmt"
	"time"

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

// body is the boxed form: headline, what the audio path adds when the
// room allows, the trend, table header, one row per stage.
func (m Model) body(w int) []string {
	st := m.common.Styles
	v := m.series[voiceToVoice]
	head := st.Status.State.Render("voice-to-voice "+common.FormatMS(v.last)) +
		st.Muted.Render(fmt.Sprintf("  p50 %s  p95 %s", common.FormatMS(v.p50), common.FormatMS(v.p95)))
	if turns := fmt.Sprintf("  turns %d", m.turns); common.Width(head+turns) <= w {
		head += st.Muted.Render(turns)
	}
	lines := []string{head}
	optional := m.common.Height - 2 - 7 // beyond headline, header and 5 stages
	if a := m.audioLine(v.last); a != "" && optional >= 1 {
		lines = append(lines, st.Muted.Render(a))
		optional--
	}
	if rows := optional - 1; rows >= 1 { // one row is the tail line's (RTF, turn)
		lines = append(lines, m.trendRows(v, w, rows)...)
	}
	lines = append(lines, st.Header.Render(row("STAGE", "STATE", "LAST", "P50", "P95")))
	for i := stageVAD; i <= stagePlayback; i++ {
		lines = append(lines, m.stageRow(i, w))
	}
	if t := m.tailLine(); t != "" {
		lines = append(lines, st.Muted.Render(common.Fit(t, w, "")))
	}
	return lines
}

// tailLine is the pane's last line: the TTS real-time factor and the turn
// detector's figures, on one row so that the pane keeps its height; ""
// before the first turn.
func (m Model) tailLine() string {
	turn := ""
	if c := m.spec; c.n > 0 {
		turn = fmt.Sprintf("turn decided %s; early answers %d used, %d dropped", common.FormatMS(c.lastDecision), c.used, c.cancelled)
	}
	switch {
	case m.lastRTF > 0 && turn != "":
		return fmt.Sprintf("TTS RTF %.2f · %s", m.lastRTF, turn)
	case m.lastRTF > 0:
		return fmt.Sprintf("TTS real-time factor %.2f", m.lastRTF)
	}
	return turn
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

// audioLine says what the audio path adds to voice-to-voice (last, ms): the
// delay the user hears on top of it; "" when nothing adds any.
func (m Model) audioLine(last float64) string {
	a := m.audio
	if a.Path == "" {
		return ""
	}
	in, out := common.FormatMS(ms(a.Capture)), common.FormatMS(ms(a.Playback))
	if !a.Measured || last <= 0 {
		return fmt.Sprintf("audio path adds in %s + out %s (%s)", in, out, a.Path)
	}
	return fmt.Sprintf("heard ~%s = v2v + in %s + out %s (%s)", common.FormatMS(last+ms(a.Capture+a.Playback)), in, out, a.Path)
}

// ms converts a duration to milliseconds.
func ms(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}
