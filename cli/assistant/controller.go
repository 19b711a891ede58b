package assistant

import (
	"context"
	"errors"

	"parley/app"
	"parley/ui"
)

// errNotWired indicates a TUI command the app does not serve yet.
var errNotWired = errors.New("not available in this build yet")

// controller adapts a running App to ui.Controller.
type controller struct {
	*app.App
}

// SubmitText implements ui.Controller.
func (controller) SubmitText(context.Context, string) error { return errNotWired }

// Devices implements ui.Controller.
func (controller) Devices(context.Context) (capture, playback []ui.DeviceChoice, err error) {
	return nil, nil, errNotWired
}

// SwitchDevice implements ui.Controller.
func (controller) SwitchDevice(context.Context, ui.DeviceKind, string) error { return errNotWired }

// Models implements ui.Controller.
func (controller) Models(context.Context) ([]string, error) { return nil, errNotWired }

// SetModel implements ui.Controller.
func (controller) SetModel(string) error { return errNotWired }
