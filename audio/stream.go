package audio

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
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
	backend string // "" tries PulseAudio, then ALSA
	config  malgo.DeviceConfig
	data    malgo.DataProc
	stop    malgo.StopProc
}

// openTimeout bounds one attempt to open a device: a stalled server
// (stopped, or a dead network link) never answers, and libpulse waits.
const openTimeout = 5 * time.Second

// openStream opens and starts the requested device within openTimeout or
// ctx, whichever ends first. An attempt still running then is abandoned:
// it goes on in the background and closes its device if it ever opens.
func openStream(ctx context.Context, req streamRequest) (*stream, error) {
	res := make(chan openResult, 1)
	go func() {
		s, err := openAny(ctx, req)
		res <- openResult{s, err}
	}()
	t := time.NewTimer(openTimeout)
	defer t.Stop()
	select {
	case r := <-res:
		return r.s, r.err
	case <-ctx.Done():
		go discard(res)
		return nil, fmt.Errorf("open %s device: %w", req.what, ctx.Err())
	case <-t.C:
		go discard(res)
		return nil, fmt.Errorf("open %s device: %s did not answer within %v: %w", req.what, CurrentServer(), openTimeout, ErrOpenDevice)
	}
}

// openResult is the outcome of one attempt to open a device.
type openResult struct {
	s   *stream
	err error
}

// discard closes the device of an abandoned attempt, if it opens.
func discard(res <-chan openResult) {
	if r := <-res; r.err == nil {
		r.s.close()
	}
}

// openAny tries the candidate backends in order. A device name that
// matches nothing on a working backend ends the search at once; other
// failures are collected, so the error says what was tried and the fix.
func openAny(ctx context.Context, req streamRequest) (*stream, error) {
	srv := CurrentServer()
	var tried []string
	for _, b := range candidates(req.backend, srv) {
		s, err := openOn(ctx, b, req)
		if err == nil {
			return s, nil
		}
		if errors.Is(err, ErrDeviceNotFound) || errors.Is(err, ErrAmbiguousDevice) || ctx.Err() != nil {
			return nil, err
		}
		var cerr *contextError
		if errors.As(err, &cerr) {
			tried = append(tried, cerr.tried)
		} else {
			tried = append(tried, describeFailure(b, srv, err))
		}
	}
	if len(tried) == 0 {
		return nil, fmt.Errorf("backend %q (want pulseaudio, alsa or null): %w", req.backend, ErrUnknownBackend)
	}
	fix := srv.fix()
	if !strings.HasPrefix(req.backend, "pulse") && req.backend != "" {
		fix = "check the device, or set audio.backend to auto"
	}
	return nil, fmt.Errorf("open %s device: tried %s. Fix: %s: %w",
		req.what, strings.Join(tried, "; "), fix, ErrOpenDevice)
}

// candidates lists the backends tried for a device: the named one, else
// PulseAudio then ALSA, or PulseAudio alone when PULSE_SERVER is set (a
// server the user named that fails must not turn into a silent ALSA).
func candidates(name string, srv Server) []backend {
	var out []backend
	for _, b := range backends {
		switch {
		case name != "":
			if name == b.name {
				out = append(out, b)
			}
		case b.id == backendNull, srv.Named && b.id != malgo.BackendPulseaudio:
		default:
			out = append(out, b)
		}
	}
	return out
}

// describeFailure says what went wrong on one backend, in the user's terms.
func describeFailure(b backend, srv Server, err error) string {
	switch b.id {
	case malgo.BackendPulseaudio:
		return srv.failure(err)
	case malgo.BackendAlsa:
		return alsaFailure(err)
	}
	return fmt.Sprintf("%s: %v", b.name, err)
}

// openOn opens and starts the device on one backend.
func openOn(ctx context.Context, b backend, req streamRequest) (*stream, error) {
	actx, err := openContext(ctx, b.name)
	if err != nil {
		return nil, err
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
	return fmt.Errorf("open %s device %q on %s: %w: %w", req.what, s.info.Name, s.actx.backend, ErrOpenDevice, err)
}

// close stops the device (waiting for a callback in progress to return) and
// frees the context and the id. With a dead or stalled server it may block
// for ever: callers that must not wait use closeWithin.
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

// closeWithin closes the stream in the background and waits until ctx
// ends; a close still blocked then (ma_device_uninit waiting on a server
// that does not answer) is abandoned to its goroutine.
func (s *stream) closeWithin(ctx context.Context, what string) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.close()
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("close %s: the audio server did not let go within the deadline; the device was abandoned: %w", what, ErrCloseTimeout)
	}
}
