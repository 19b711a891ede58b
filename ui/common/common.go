// Package common holds what every pane shares: the Common value (size,
// styles, keymap, clock), the messages that cross pane boundaries, and small
// renderers (boxes, bars, sparklines, text fitting).
package common

import (
	"time"

	"parley/gpu"
	"parley/pipeline"
	"parley/ui/keymap"
	"parley/ui/styles"
)

// Common is the context each pane holds a copy of: never a global.
type Common struct {
	// Width and Height are the pane's size in cells, border included.
	Width, Height int
	// Styles are the shared styles.
	Styles *styles.Styles
	// Keys is the keymap.
	Keys *keymap.KeyMap
	// Focused is true when the pane has the keyboard focus.
	Focused bool
	// Now is the clock; tests fix it so views are deterministic.
	Now func() time.Time
}

// SetSize records the pane's size; negative sizes become zero.
func (c *Common) SetSize(w, h int) {
	c.Width, c.Height = max(w, 0), max(h, 0)
}

// Compact reports whether the pane is collapsed to a one-line summary.
func (c Common) Compact() bool {
	return c.Height <= 1
}

// StatusInfo describes the running engines for the status line.
type StatusInfo struct {
	// VAD, ASR, LLM and TTS name the engines, e.g. "silero", "sensevoice".
	VAD, ASR, LLM, TTS string
	// LogPath is the conversation/debug log file, shown with fatal errors.
	LogPath string
}

// EventMsg carries one pipeline event read from the event channel.
type EventMsg struct {
	// Event is the pipeline event.
	Event pipeline.Event
}

// PipelineStoppedMsg reports that the pipeline closed its event channel.
type PipelineStoppedMsg struct{}

// ModelsSampledMsg carries the models' device states and the engine info,
// sampled together in a command.
type ModelsSampledMsg struct {
	// Models are the per-model device states.
	Models []gpu.ModelState
	// Info names the engines and the log file.
	Info StatusInfo
}

// ToggledMsg reports the end of a live device switch of one model.
type ToggledMsg struct {
	// Model is the model's role name ("asr", "tts").
	Model string
	// Err is why the switch did not happen (nil on success).
	Err error
	// Took is how long the whole switch call took.
	Took time.Duration
	// Models are the device states sampled right after the switch, if a
	// source for them exists.
	Models []gpu.ModelState
}

// ErrorMsg carries a recoverable error for the status line.
type ErrorMsg struct {
	// Err is the error.
	Err error
}
