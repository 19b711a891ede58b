package audio

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// OpenSpeakerOrNull opens a speaker as OpenSpeaker does; when no backend
// can play (no sound server, no sound card) it opens the null backend
// instead, which consumes sounds in real time and plays them to no one,
// and returns a notice saying so for the UI. A device name that matches
// nothing and invalid options are still errors.
func OpenSpeakerOrNull(ctx context.Context, opts SpeakerOptions) (*Speaker, string, error) {
	sp, err := OpenSpeaker(ctx, opts)
	if err == nil || !(errors.Is(err, ErrOpenDevice) || errors.Is(err, ErrNoBackend)) {
		return sp, "", err
	}
	null := opts
	null.Backend, null.Device, null.Resilience = "null", "", Resilience{}
	sp, nerr := OpenSpeaker(ctx, null)
	if nerr != nil {
		return nil, "", fmt.Errorf("%w (the null backend failed too: %v)", err, nerr)
	}
	return sp, fmt.Sprintf("no audio output, so replies play to the null device (silence): %v", err), nil
}

// ProbeOptions choose the devices Probe opens, as the app would.
type ProbeOptions struct {
	// Backend is "pulseaudio", "alsa", "null", or "" for auto.
	Backend string
	// InputDevice and OutputDevice name the devices ("" for the default).
	InputDevice, OutputDevice string
	// Latency sizes the device buffers (zero: auto).
	Latency Latency
}

// ProbeReport is what Probe found, for doctor.
type ProbeReport struct {
	// Server is the PulseAudio server the environment names, local or remote.
	Server Server
	// SharedMemory says whether parley's connections use shared memory.
	SharedMemory string
	// Capture and Playback are the brief opens of the two devices.
	Capture, Playback DeviceProbe
}

// DeviceProbe is the result of opening one device briefly.
type DeviceProbe struct {
	// Backend is the backend the device opened on.
	Backend string
	// Device is the device's name.
	Device string
	// Period is the audio one device callback moved.
	Period time.Duration
	// Delay is the latency the device buffer adds; for playback it is what
	// the user hears after a sample leaves parley (the server's own sink
	// latency comes on top).
	Delay time.Duration
	// Err says why the device did not open or deliver audio; nil when it did.
	Err error
}

// probeWait bounds the wait for a probed device's first callback.
const probeWait = 3 * time.Second

// Probe opens the capture and the playback device briefly, as parley
// would, and reports the server, the backends, and each device's period
// and added latency. The error joins the devices' errors; the report is
// filled in either way.
func Probe(ctx context.Context, opts ProbeOptions) (ProbeReport, error) {
	r := ProbeReport{Server: CurrentServer()}
	r.Capture = probeCapture(ctx, opts)
	r.Playback = probePlayback(ctx, opts)
	r.SharedMemory = SharedMemory()
	return r, errors.Join(r.Capture.Err, r.Playback.Err)
}

func probeCapture(ctx context.Context, opts ProbeOptions) DeviceProbe {
	m, err := OpenMic(ctx, MicOptions{Device: opts.InputDevice, Backend: opts.Backend, Latency: opts.Latency})
	if err != nil {
		return DeviceProbe{Err: err}
	}
	defer m.Close()
	p := DeviceProbe{Backend: m.Backend(), Device: m.Device().Name}
	wait, cancel := context.WithTimeout(ctx, probeWait)
	defer cancel()
	if _, err := m.Read(wait, make([]float32, FrameSize)); err != nil {
		p.Err = fmt.Errorf("capture device %q on %s delivered no audio: %w", p.Device, p.Backend, err)
		return p
	}
	p.Period = time.Duration(m.CallbackFrames()) * time.Second / SampleRate
	p.Delay = m.Latency()
	return p
}

func probePlayback(ctx context.Context, opts ProbeOptions) DeviceProbe {
	sp, err := OpenSpeaker(ctx, SpeakerOptions{Device: opts.OutputDevice, Backend: opts.Backend, Latency: opts.Latency})
	if err != nil {
		return DeviceProbe{Err: err}
	}
	defer sp.Close()
	p := DeviceProbe{Backend: sp.Backend(), Device: sp.Device().Name}
	wait, cancel := context.WithTimeout(ctx, probeWait)
	defer cancel()
	pb, err := sp.Play(wait, make([]float32, SampleRate/10), SampleRate)
	if err == nil {
		err = pb.Wait(wait)
	}
	if err != nil {
		p.Err = fmt.Errorf("playback device %q on %s took no audio: %w", p.Device, p.Backend, err)
		return p
	}
	p.Period = time.Duration(sp.CallbackFrames()) * time.Second / time.Duration(sp.SampleRate())
	p.Delay = sp.Latency()
	return p
}
