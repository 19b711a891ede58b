package audio

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/gen2brain/malgo"
)

// backendNull is miniaudio 0.11.23's ma_backend_null; malgo v0.11.24's
// BackendNull constant is 13, which is ma_backend_custom.
const backendNull = malgo.Backend(14)

// backend is one audio backend parley tries, in order.
type backend struct {
	name string
	id   malgo.Backend
}

// backends lists the order tried when no backend is named: PulseAudio
// (also PipeWire's and SSH-forwarded servers), ALSA, then null (silence).
var backends = [...]backend{
	{"pulseaudio", malgo.BackendPulseaudio},
	{"alsa", malgo.BackendAlsa},
	{"null", backendNull},
}

// DeviceInfo describes one capture or playback device.
type DeviceInfo struct {
	// ID is the backend's device id: the PulseAudio source/sink name or the
	// ALSA device string when printable, else hexadecimal.
	ID string
	// Name is the human-readable description.
	Name string
	// Default marks the backend's default device.
	Default bool

	raw malgo.DeviceID
}

// Devices lists what one backend offers, for `parley devices` and doctor.
type Devices struct {
	// Backend is the backend in use: "pulseaudio", "alsa" or "null".
	Backend string
	// Capture lists microphones (and monitors of outputs).
	Capture []DeviceInfo
	// Playback lists speakers.
	Playback []DeviceInfo
}

// audioContext is an initialised malgo context and its backend's name.
type audioContext struct {
	mctx    *malgo.AllocatedContext
	backend string
}

// openContext initialises the named backend, or the first of PulseAudio,
// ALSA and null that initialises when name is "" (PulseAudio alone when
// PULSE_SERVER is set). PulseAudio initialises only when a server answers;
// ALSA initialises even without a sound card.
func openContext(ctx context.Context, name string) (*audioContext, error) {
	quietALSA()
	if err := disableSHM(); err != nil {
		return nil, err
	}
	srv := CurrentServer()
	var errs []string
	for _, b := range backends {
		if (name != "" && name != b.name) || (name == "" && srv.Named && b.id != malgo.BackendPulseaudio) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		mctx, err := malgo.InitContext([]malgo.Backend{b.id}, malgo.ContextConfig{}, nil)
		if err == nil {
			return &audioContext{mctx: mctx, backend: b.name}, nil
		}
		errs = append(errs, describeFailure(b, srv, err))
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("backend %q (want pulseaudio, alsa or null): %w", name, ErrUnknownBackend)
	}
	return nil, &contextError{tried: strings.Join(errs, "; ")}
}

// contextError is a failure to initialise any backend: what was tried, in
// the user's terms. It wraps ErrNoBackend.
type contextError struct {
	tried string
}

func (e *contextError) Error() string { return e.tried + ": " + ErrNoBackend.Error() }

func (e *contextError) Unwrap() error { return ErrNoBackend }

func (c *audioContext) close() {
	_ = c.mctx.Uninit()
	c.mctx.Free()
}

// ListDevices lists the capture and playback devices of the first backend
// that initialises (PulseAudio, ALSA, null).
func ListDevices(ctx context.Context) (Devices, error) {
	return ListBackendDevices(ctx, "")
}

// ListBackendDevices lists the devices of one backend ("pulseaudio", "alsa",
// "null"), or of the first that initialises when backend is "".
func ListBackendDevices(ctx context.Context, backend string) (Devices, error) {
	c, err := openContext(ctx, backend)
	if err != nil {
		return Devices{}, fmt.Errorf("list audio devices: %w", err)
	}
	defer c.close()
	d := Devices{Backend: c.backend}
	if d.Capture, err = c.devices(malgo.Capture); err != nil {
		return Devices{}, fmt.Errorf("list capture devices (%s): %w", c.backend, err)
	}
	if d.Playback, err = c.devices(malgo.Playback); err != nil {
		return Devices{}, fmt.Errorf("list playback devices (%s): %w", c.backend, err)
	}
	return d, nil
}

func (c *audioContext) devices(kind malgo.DeviceType) ([]DeviceInfo, error) {
	infos, err := c.mctx.Devices(kind)
	if err != nil {
		return nil, err
	}
	out := make([]DeviceInfo, len(infos))
	for i, in := range infos {
		out[i] = DeviceInfo{ID: idString(in.ID), Name: in.Name(), Default: in.IsDefault != 0, raw: in.ID}
	}
	return out, nil
}

// idString shows an id as text when it is printable NUL-terminated text
// (PulseAudio names, ALSA "hw:0,0"), else as malgo's hexadecimal form.
func idString(id malgo.DeviceID) string {
	text, _, _ := bytes.Cut(id[:], []byte{0})
	if len(text) == 0 {
		return id.String()
	}
	for _, r := range string(text) {
		if !unicode.IsPrint(r) {
			return id.String()
		}
	}
	return string(text)
}

// findDevice picks a device by exact id, exact name (case-insensitive) or
// case-insensitive substring of name or id, each tried in turn and required
// to be unique; "" or "default" mean the backend's default (nil result).
func findDevice(list []DeviceInfo, want, kind string) (*DeviceInfo, error) {
	if want == "" || strings.EqualFold(want, "default") {
		return nil, nil
	}
	lw := strings.ToLower(want)
	tests := [...]func(d DeviceInfo) bool{
		func(d DeviceInfo) bool { return d.ID == want },
		func(d DeviceInfo) bool { return strings.EqualFold(d.Name, want) },
		func(d DeviceInfo) bool {
			return strings.Contains(strings.ToLower(d.Name), lw) || strings.Contains(strings.ToLower(d.ID), lw)
		},
	}
	for _, match := range tests {
		var hits []*DeviceInfo
		for i := range list {
			if match(list[i]) {
				hits = append(hits, &list[i])
			}
		}
		if len(hits) == 1 {
			return hits[0], nil
		}
		if len(hits) > 1 {
			return nil, fmt.Errorf("%s device %q matches %s; use an id: %w", kind, want, describe(derefs(hits)), ErrAmbiguousDevice)
		}
	}
	return nil, fmt.Errorf("%s device %q (available: %s): %w", kind, want, describe(list), ErrDeviceNotFound)
}

func derefs(ps []*DeviceInfo) []DeviceInfo {
	out := make([]DeviceInfo, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

// describe lists devices as `"Name" (id)` for error messages.
func describe(list []DeviceInfo) string {
	if len(list) == 0 {
		return "none"
	}
	parts := make([]string, len(list))
	for i, d := range list {
		parts[i] = fmt.Sprintf("%q (%s)", d.Name, d.ID)
	}
	return strings.Join(parts, ", ")
}
