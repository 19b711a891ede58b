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
	// AudioIn and AudioOut are the latency the audio path adds before
	// parley hears the user and before the user hears parley (device
	// buffers); 0 while unknown.
	AudioIn, AudioOut time.Duration
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

// Activity tracks what the pipeline is doing and whether the user is
// speaking, from the pipeline's events; several panes show it.
type Activity struct {
	// State is the pipeline's state ("" before the first state event).
	State pipeline.State
	// Speech is true between the start of speech and its transcript.
	Speech bool
}

// Apply folds one event into the activity.
func (a *Activity) Apply(ev pipeline.Event) {
	switch ev.Kind {
	case pipeline.KindState:
		a.State = ev.State
		a.Speech = a.Speech && ev.State == pipeline.StateListening
	case pipeline.KindSpeechStart:
		a.Speech = true
	case pipeline.KindHeard:
		a.Speech = false
	}
}

// Stop records that the pipeline has stopped.
func (a *Activity) Stop() {
	a.State, a.Speech = pipeline.StateStopped, false
}

// Pane renders a pane: its one-line summary when compact, else its body in
// a titled box.
func (c Common) Pane(title string, summary func() string, body func(width int) []string) string {
	if c.Compact() {
		return Fit(summary(), c.Width, c.Styles.Glyphs.Ellipsis)
	}
	return Box(c.Styles, c.Width, c.Height, title, body(c.Width-2), c.Focused)
}
