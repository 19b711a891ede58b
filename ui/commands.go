package ui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"parley/gpu"
	"parley/pipeline"
	"parley/ui/common"
)

// waitForEvent reads one pipeline event. Update re-arms it after each
// event, so events arrive one at a time and in order; a closed channel
// becomes PipelineStoppedMsg and is not re-armed.
func waitForEvent(ch <-chan pipeline.Event) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return common.PipelineStoppedMsg{}
		}
		return common.EventMsg{Event: ev}
	}
}

// sampleModelsCmd samples the device states and engine info after d (at
// once when d is 0). Update re-arms it after each result.
func sampleModelsCmd(models func() []gpu.ModelState, info func() StatusInfo, d time.Duration) tea.Cmd {
	if models == nil && info == nil {
		return nil
	}
	sample := func(time.Time) tea.Msg {
		var msg common.ModelsSampledMsg
		if models != nil {
			msg.Models = models()
		}
		if info != nil {
			msg.Info = info()
		}
		return msg
	}
	if d <= 0 {
		return func() tea.Msg { return sample(time.Time{}) }
	}
	return tea.Tick(d, sample)
}

// controlCmd runs one Controller call off the UI goroutine.
func controlCmd(call func()) tea.Cmd {
	return func() tea.Msg {
		call()
		return nil
	}
}
