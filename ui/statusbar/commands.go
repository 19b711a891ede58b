package statusbar

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// levelSampledMsg carries one input level sample.
type levelSampledMsg struct{ rms, peak float32 }

// levelCmd samples the input level after d. The sample is read in the
// command, not in Update; tea.Tick fires once and Update re-arms it after
// each sample, so at most one is ever pending (~20 Hz by default).
func levelCmd(level LevelSource, d time.Duration) tea.Cmd {
	if level == nil {
		return nil
	}
	return tea.Tick(d, func(time.Time) tea.Msg {
		rms, peak := level()
		return levelSampledMsg{rms: rms, peak: peak}
	})
}
