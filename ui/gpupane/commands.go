package gpupane

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"parley/gpu"
)

// sampledMsg carries one GPU poll's result.
type sampledMsg struct{ snap gpu.Snapshot }

// pollMsg says it is time for the next poll.
type pollMsg struct{}

// sampleCmd runs one poll in the background, bounded by timeout.
func sampleCmd(source Source, timeout time.Duration) tea.Cmd {
	if source == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		return sampledMsg{snap: source(ctx)}
	}
}

// tickCmd schedules the next poll. tea.Tick fires once; Update re-arms it
// after each result.
func tickCmd(d time.Duration) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return pollMsg{} })
}
