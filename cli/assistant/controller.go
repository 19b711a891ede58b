package assistant

import (
	"context"
	"fmt"

	"parley/app"
	"parley/ui"
)

// controller adapts a running App to ui.Controller: the UI's device kinds
// and choices are its own types, which the app does not know.
type controller struct {
	*app.App
}

// Devices implements ui.Controller.
func (c controller) Devices(ctx context.Context) (capture, playback []ui.DeviceChoice, err error) {
	cs, ps, err := c.App.Devices(ctx)
	if err != nil {
		return nil, nil, err
	}
	return choices(cs), choices(ps), nil
}

// choices maps the app's devices to the picker's.
func choices(list []app.Device) []ui.DeviceChoice {
	out := make([]ui.DeviceChoice, len(list))
	for i, d := range list {
		out[i] = ui.DeviceChoice{Name: d.Name, ID: d.ID, Default: d.Default, Current: d.Current}
	}
	return out
}

// SwitchDevice implements ui.Controller.
func (c controller) SwitchDevice(ctx context.Context, kind ui.DeviceKind, id string) error {
	switch kind {
	case ui.Capture:
		return c.SwitchMic(ctx, id)
	case ui.Playback:
		return c.SwitchSpeaker(ctx, id)
	}
	return fmt.Errorf("no device kind %q", kind)
}
