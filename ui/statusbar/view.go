package statusbar

import (
	"fmt"
	"math"
	"strings"

	"parley/pipeline"
	"parley/ui/common"
	"parley/ui/keymap"
)

// meterW is the width of the input level meter, brackets included.
const meterW = 16

// View renders the status line and, with two lines, the message line.
func (m Model) View() string {
	c := m.common
	switch {
	case c.Height <= 0 || c.Width <= 0:
		return ""
	case c.Height == 1 && (m.err != "" || m.notice != ""):
		return m.messageLine()
	case c.Height == 1:
		return m.StatusLine()
	}
	return common.Lines([]string{m.StatusLine(), m.messageLine()}, c.Width, c.Height, c.Styles.Glyphs.Ellipsis)
}

// StatusLine is the pipeline state, level meter, VAD, engines and flags.
func (m Model) StatusLine() string {
	st := m.common.Styles
	sep := " " + st.Muted.Render(st.Glyphs.Dot) + " "
	line := common.JoinNonEmpty(sep,
		st.Status.State.Render(m.stateText()),
		m.meter(),
		"VAD "+m.vadText(),
		m.engine("ASR", m.info.ASR, "asr"),
		m.engine("TTS", m.info.TTS, "tts"),
		m.llm(),
		m.flagsText(),
	)
	return common.Fit(line, m.common.Width, st.Glyphs.Ellipsis)
}

// messageLine is the error, else the notice, else the short help.
func (m Model) messageLine() string {
	st := m.common.Styles
	var s string
	switch {
	case m.err != "":
		s = st.Status.Error.Render("error: " + m.err)
	case m.notice != "":
		s = st.Status.Notice.Render(m.notice)
	default:
		s = m.shortHelp()
	}
	return common.Fit(s, m.common.Width, st.Glyphs.Ellipsis)
}

// shortHelp lists the most used keys.
func (m Model) shortHelp() string {
	st := m.common.Styles
	parts := []string{}
	for _, b := range m.common.Keys.ShortHelp() {
		if len(b.Keys()) == 0 {
			continue
		}
		k := keymap.DisplayKey(b.Keys()[0])
		parts = append(parts, st.Status.Key.Render(k)+" "+st.Status.Desc.Render(b.Help().Desc))
	}
	return strings.Join(parts, "  ")
}

// stateText names what the pipeline is doing, with a mute warning.
func (m Model) stateText() string {
	if m.act.State == "" {
		return string(pipeline.StateListening)
	}
	return string(m.act.State)
}

// vadText is the VAD's state: speech or silence.
func (m Model) vadText() string {
	switch {
	case m.act.State == pipeline.StateStopped:
		return "off"
	case m.act.Speech:
		return "speech"
	}
	return "silence"
}

// meter is the input level gauge in dBFS (-60..0).
func (m Model) meter() string {
	st := m.common.Styles
	switch {
	case m.flags.Muted:
		return st.Status.Flag.Render("MIC muted")
	case m.level == nil:
		return ""
	case !m.sampled:
		return common.Meter(st, "MIC", meterW, 0, 0, "-", st.Gauge.NA)
	}
	db := dbfs(m.rms)
	frac := (db + 60) / 60
	return common.Meter(st, "MIC", meterW, frac, 0, fmt.Sprintf("%.0fdB", db), common.LoadStyle(st, frac*100, 0, 90))
}

// dbfs converts an RMS level to dBFS, floored at -60.
func dbfs(rms float32) float64 {
	if rms <= 0 {
		return -60
	}
	return max(20*math.Log10(float64(rms)), -60)
}

// engine is "ASR name@device" from the engine info and model states.
func (m Model) engine(label, name, model string) string {
	dev := ""
	for _, s := range m.models {
		if s.Model == model {
			dev = s.Active
			if s.Switching {
				dev = "switching" + m.common.Styles.Glyphs.Ellipsis
			}
		}
	}
	if m.common.Width < 100 {
		name = "" // narrow: the device matters more than the engine
	}
	if name == "" && dev == "" {
		return ""
	}
	return label + " " + common.JoinNonEmpty("@", name, dev)
}

// llm names the language model engine.
func (m Model) llm() string {
	if m.info.LLM == "" {
		return ""
	}
	return "LLM " + m.info.LLM
}

// flagsText lists switches that differ from the usual.
func (m Model) flagsText() string {
	st := m.common.Styles.Status.Flag
	var f []string
	if m.flags.PushToTalk {
		f = append(f, st.Render("[push-to-talk]"))
	}
	if !m.flags.BargeIn {
		f = append(f, st.Render("[barge-in off]"))
	}
	return strings.Join(f, " ")
}
