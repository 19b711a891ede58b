package app

import (
	"context"

	"parley/audio"
	"parley/internal/prefs"
	"parley/pipeline"
)

// Device is one audio device as a picker lists it.
type Device struct {
	audio.DeviceInfo
	// Current marks the device in use now.
	Current bool
}

// Devices lists the capture and playback devices of audio.backend, by
// name and id as `parley devices` prints them, the ones in use marked;
// with the browser page there are none to pick (an error says why).
func (a *App) Devices(ctx context.Context) (capture, playback []Device, err error) {
	if a.audio.Web != nil {
		return nil, nil, errWebSwitch
	}
	list, err := audio.ListBackendDevices(ctx, backend(a.eng.Config.Audio.Backend))
	if err != nil {
		return nil, nil, err
	}
	now := a.live.now()
	var micID, speakerID string
	if now.mic != nil {
		micID = now.mic.Device().ID
	}
	if now.speaker != nil {
		speakerID = now.speaker.Device().ID
	}
	return marked(list.Capture, micID), marked(list.Playback, speakerID), nil
}

// marked wraps list, marking the device whose id is current.
func marked(list []audio.DeviceInfo, current string) []Device {
	out := make([]Device, len(list))
	for i, d := range list {
		out[i] = Device{DeviceInfo: d, Current: current != "" && d.ID == current}
	}
	return out
}

// SwitchMic moves listening to the capture device id (an id, exact name or
// unique part of one), live: the conversation goes on, and a word spoken
// during the switch may be lost. The choice is remembered for the next
// start unless the user pinned the microphone.
func (a *App) SwitchMic(ctx context.Context, id string) error {
	d, err := a.live.switchMic(ctx, id)
	if err != nil {
		return err
	}
	a.pipe.Announce(pipeline.Notice{Fact: "audio", Text: "listening on " + d.Name, Detail: "microphone switched to " + d.ID})
	return a.remember("microphone", a.pins.InputDevice, func(p *prefs.Prefs) { p.CaptureDevice = d.ID })
}

// SwitchSpeaker moves speaking to the playback device id, live: a reply
// playing is cut short, the next plays on the new device. The choice is
// remembered for the next start unless the user pinned the speaker.
func (a *App) SwitchSpeaker(ctx context.Context, id string) error {
	d, err := a.live.switchSpeaker(ctx, id)
	if err != nil {
		return err
	}
	a.pipe.Announce(pipeline.Notice{Fact: "output", Text: "speaking on " + d.Name, Detail: "speaker switched to " + d.ID})
	return a.remember("speaker", a.pins.OutputDevice, func(p *prefs.Prefs) { p.PlaybackDevice = d.ID })
}
