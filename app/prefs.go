package app

import (
	"errors"
	"fmt"
	"strings"

	"parley/audio"
	"parley/internal/prefs"
	"parley/pipeline"
)

// Pins say which choices the user fixed for this run, and with what: ""
// when the choice is free, else e.g. "--input-device" or "audio.input_device
// in ~/.config/parley/config.toml". A fixed choice is not replaced by the
// one remembered from the TUI, and a choice the TUI makes over it lasts
// for this run only.
type Pins struct {
	// InputDevice, OutputDevice and Model pin the microphone, the speaker
	// and the LLM model.
	InputDevice, OutputDevice, Model string
}

// recalled says which remembered choices a start applied.
type recalled struct {
	mic, speaker string
}

// recall applies the choices remembered from the TUI ($XDG_STATE_HOME/
// parley/ui-state.json) to what the user did not pin: the devices to opts,
// the model to the configuration (no devices with the browser page). A
// state file that cannot be read is a notice, not an error: parley starts
// with the configured choices.
func (a *App) recall(opts *Options) recalled {
	p, err := a.prefs.Load()
	if err != nil {
		a.notices = append(a.notices, pipeline.Notice{Fact: "prefs", Text: "remembered choices ignored: " + a.prefs.Path() + " is unreadable", Detail: err.Error()})
		return recalled{}
	}
	var r recalled
	devices := a.eng.Config.Audio.Backend != "web" // the browser page picks its own
	if devices && a.pins.InputDevice == "" && opts.Input == "" && !opts.NoMic && p.CaptureDevice != "" {
		opts.InputDevice, r.mic = p.CaptureDevice, p.CaptureDevice
	}
	if devices && a.pins.OutputDevice == "" && p.PlaybackDevice != "" {
		opts.OutputDevice, r.speaker = p.PlaybackDevice, p.PlaybackDevice
	}
	if a.pins.Model == "" && p.LLMModel != "" {
		a.eng.Config.LLM.Model = p.LLMModel
	}
	return r
}

// forget drops the remembered devices from opts after they failed to open
// (a device unplugged since), so the configured ones are used, and says so.
func (a *App) forget(opts *Options, r recalled, err error) bool {
	if (r == recalled{}) || !errors.Is(err, audio.ErrDeviceNotFound) {
		return false
	}
	var gone []string
	if r.mic != "" {
		opts.InputDevice, gone = "", append(gone, "microphone "+r.mic)
	}
	if r.speaker != "" {
		opts.OutputDevice, gone = "", append(gone, "speaker "+r.speaker)
	}
	a.notices = append(a.notices, pipeline.Notice{Fact: "prefs",
		Text: "remembered " + strings.Join(gone, " and ") + " not found: using the configured devices", Detail: err.Error()})
	return true
}

// remember saves a choice made in the TUI for the next start, unless pin
// says the user fixed it: then the choice lasts for this run, and a notice
// says why.
func (a *App) remember(what, pin string, change func(*prefs.Prefs)) error {
	if pin != "" {
		a.pipe.Notify(fmt.Sprintf("%s for this run only: %s sets it at start", what, pin))
		return nil
	}
	if err := a.prefs.Update(change); err != nil {
		return fmt.Errorf("remember the %s: %w", what, err)
	}
	return nil
}
