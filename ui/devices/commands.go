package devices

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"parley/gpu"
	"parley/ui/common"
)

// Switcher moves a model between devices; ui.Controller satisfies it.
type Switcher interface {
	// ToggleDevice moves model ("asr", "tts") to the other device and
	// returns when the new session serves, or why it cannot.
	ToggleDevice(ctx context.Context, model string) error
}

// toggleCmd runs one switch off the UI goroutine: building and warming a
// session takes seconds, and Update must never wait for it.
func toggleCmd(sw Switcher, model string, models func() []gpu.ModelState, timeout time.Duration, now func() time.Time) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		start := now()
		err := sw.ToggleDevice(ctx, model)
		msg := common.ToggledMsg{Model: model, Err: err, Took: now().Sub(start)}
		if models != nil {
			msg.Models = models()
		}
		return msg
	}
}

// errorCmd reports a recoverable error to the status line.
func errorCmd(err error) tea.Cmd {
	return func() tea.Msg { return common.ErrorMsg{Err: err} }
}
