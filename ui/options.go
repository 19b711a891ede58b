package ui

import (
	"context"
	"time"

	"parley/gpu"
	"parley/pipeline"
	"parley/ui/common"
	"parley/ui/keymap"
)

// Controller is what the UI asks of the running pipeline. It is defined
// here, where it is used; the pipeline satisfies it. The UI calls every
// method from a tea.Cmd, never from Update.
type Controller interface {
	// ToggleDevice moves model ("asr" or "tts") to its other device (CPU
	// <-> GPU) and returns once the new session serves, or why it cannot
	// (e.g. "no GPU: NVML library not found"), shown in the status line.
	ToggleDevice(ctx context.Context, model string) error
	// SetMuted mutes or unmutes the microphone.
	SetMuted(muted bool)
	// SetPushToTalk turns push-to-talk on or off. Terminals send no key
	// release, so the push-to-talk key toggles.
	SetPushToTalk(on bool)
	// SetBargeIn lets speech interrupt a reply (true) or not.
	SetBargeIn(on bool)
}

// StatusInfo names the engines and the log file for the status line and
// the fatal error screen.
type StatusInfo = common.StatusInfo

// Sources are the streams and samplers the UI reads. Any may be nil: the
// UI then shows that the data is missing.
type Sources struct {
	// Events are the pipeline's events, read one at a time; closing the
	// channel tells the UI the pipeline stopped.
	Events <-chan pipeline.Event
	// GPU polls every GPU (NVML); it may block and runs in a command,
	// never two at once.
	GPU func(ctx context.Context) gpu.Snapshot
	// Models returns every model's device state; it must be quick.
	Models func() []gpu.ModelState
	// Level returns the input's latest RMS and peak (0-1) without
	// blocking.
	Level func() (rms, peak float32)
	// Info names the engines and the log file.
	Info func() StatusInfo
}

// Options configure the UI.
type Options struct {
	// Sources are the data the UI shows.
	Sources Sources
	// Controller receives the user's commands; nil disables them, and the
	// status line says so.
	Controller Controller
	// Keys is the keymap (from ParseKeyMap); nil means DefaultKeyMap.
	Keys *KeyMap
	// Unicode selects Unicode boxes, bars and sparklines; false gives
	// ASCII for plain terminals.
	Unicode bool
	// LogPath is the log file named on the fatal error screen (Info's
	// LogPath, when set, wins).
	LogPath string
	// Muted, PushToTalk and BargeIn are the pipeline's initial switches.
	Muted, PushToTalk, BargeIn bool
	// GPUInterval is the GPU poll period (default 1s); LevelInterval the
	// input meter's (default 50ms, 20 Hz); ModelsInterval the device
	// states' (default 500ms).
	GPUInterval, LevelInterval, ModelsInterval time.Duration
	// SwitchTimeout bounds one device switch (default 2m).
	SwitchTimeout time.Duration
	// Now is the clock (default time.Now); tests fix it.
	Now func() time.Time
}

// withDefaults fills the zero fields of o.
func (o Options) withDefaults() Options {
	if o.Keys == nil {
		km := keymap.Default()
		o.Keys = &km
	}
	if o.ModelsInterval <= 0 {
		o.ModelsInterval = 500 * time.Millisecond
	}
	if o.SwitchTimeout <= 0 {
		o.SwitchTimeout = 2 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// KeyMap binds every action to its keys.
type KeyMap = keymap.KeyMap

// DefaultKeyMap returns the built-in keymap.
func DefaultKeyMap() KeyMap {
	return keymap.Default()
}

// ParseKeyMap returns the default keymap with the actions in remap (config
// ui.keys: action name -> keys) rebound; errors name ui.keys.<action>.
func ParseKeyMap(remap map[string][]string) (KeyMap, error) {
	return keymap.ParseKeyMap(remap)
}

// FatalMsg stops the UI with a full-screen error naming the log file; any
// key then exits. main sends it with Program.Send.
type FatalMsg struct {
	// Err is the fatal error.
	Err error
}

// ErrorMsg shows a recoverable error in the status line until the next
// key.
type ErrorMsg = common.ErrorMsg
