package audio

import (
	"context"
	"fmt"
	"os"
	"unsafe"

	"github.com/gen2brain/malgo"
)

// stream is an open malgo device with the context and C memory it owns.
type stream struct {
	actx *audioContext
	dev  *malgo.Device
	id   unsafe.Pointer // C copy of the device id; nil for the default device
	info DeviceInfo
	// backend is the backend's name, kept after close.
	backend string
}

// streamRequest says which device to open and how.
type streamRequest struct {
	kind    malgo.DeviceType
	what    string // "capture" or "playback", for errors
	device  string
	backend string
	config  malgo.DeviceConfig
	data    malgo.DataProc
	stop    malgo.StopProc
}

// openStream opens and starts the requested device; on any failure it
// releases everything and returns an error naming the device and backend.
func openStream(ctx context.Context, req streamRequest) (*stream, error) {
	actx, err := openContext(ctx, req.backend)
	if err != nil {
		return nil, fmt.Errorf("open %s device: %w", req.what, err)
	}
	s := &stream{actx: actx, backend: actx.backend}
	if err := s.open(req); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *stream) open(req streamRequest) error {
	list, err := s.actx.devices(req.kind)
	if err != nil {
		return fmt.Errorf("list %s devices (%s): %w", req.what, s.actx.backend, err)
	}
	d, err := findDevice(list, req.device, req.what)
	if err != nil {
		return fmt.Errorf("open %s device on %s: %w", req.what, s.actx.backend, err)
	}
	s.info = describeChoice(d, list)
	if d != nil {
		s.id = d.raw.Pointer()
		setDeviceID(&req.config, req.kind, s.id)
	}
	cb := malgo.DeviceCallbacks{Data: req.data, Stop: req.stop}
	if s.dev, err = malgo.InitDevice(s.actx.mctx.Context, req.config, cb); err != nil {
		return s.openErr(req, err)
	}
	if err := s.dev.Start(); err != nil {
		return s.openErr(req, err)
	}
	return nil
}

func setDeviceID(cfg *malgo.DeviceConfig, kind malgo.DeviceType, id unsafe.Pointer) {
	if kind == malgo.Capture {
		cfg.Capture.DeviceID = id
	} else {
		cfg.Playback.DeviceID = id
	}
}

// describeChoice returns the chosen device, or the backend's default as
// listed (its name, for the UI) when none was named.
func describeChoice(d *DeviceInfo, list []DeviceInfo) DeviceInfo {
	if d != nil {
		return *d
	}
	for _, in := range list {
		if in.Default {
			return in
		}
	}
	return DeviceInfo{ID: "default", Name: "default", Default: true}
}

func (s *stream) openErr(req streamRequest, err error) error {
	hint := ""
	if s.actx.backend != "pulseaudio" && req.backend == "" {
		hint = fmt.Sprintf(" (no PulseAudio server answered at PULSE_SERVER=%q)", os.Getenv("PULSE_SERVER"))
	}
	return fmt.Errorf("open %s device %q on %s%s: %w: %w", req.what, s.info.Name, s.actx.backend, hint, ErrOpenDevice, err)
}

// close stops the device (waiting for a callback in progress to return) and
// frees the context and the id.
func (s *stream) close() {
	if s.dev != nil {
		s.dev.Uninit()
		s.dev = nil
	}
	if s.actx != nil {
		s.actx.close()
		s.actx = nil
	}
	freeC(s.id)
	s.id = nil
}
