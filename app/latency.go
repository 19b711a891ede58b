package app

import (
	"context"
	"fmt"
	"time"

	"parley/audio"
	"parley/audio/web"
	"parley/config"
)

// AddedLatency is the delay the audio path adds outside the pipeline, per
// direction. The logged voice_to_voice runs from the end of speech as
// parley read it to the first sample as the player took it; the user hears
// the reply start about Capture + Playback later.
type AddedLatency struct {
	// Path says what adds the delay: "device buffers (pulseaudio)",
	// "browser page"; "" when nothing does (a file input).
	Path string
	// Capture is from the user's voice to parley reading it: the capture
	// device's buffer, or the browser's microphone latency plus one 20 ms
	// frame.
	Capture time.Duration
	// Playback is from the player taking a sample to the user hearing it:
	// the playback device's buffer, or the page's first-sample delay (the
	// jitter buffer's wait, rendering and the browser's output latency).
	Playback time.Duration
	// Measured is false while a part is still unknown: before the devices'
	// first callbacks, or before the page has played a sound.
	Measured bool
}

// Total is the whole added delay, both directions.
func (l AddedLatency) Total() time.Duration {
	return l.Capture + l.Playback
}

// AddedLatency reports the audio path's added delay as measured now, with
// the devices opened at start.
func (a *Audio) AddedLatency() AddedLatency {
	if a.Web != nil {
		st, ok := a.Web.PageStats()
		l := PageLatency(st, ok)
		if !a.live() {
			l.Capture = 0
		}
		return l
	}
	return deviceLatency(a.Mic, a.Speaker)
}

// addedLatency is the audio path's added delay with the devices in use
// now, which a switch in the TUI may have replaced.
func (a *App) addedLatency() AddedLatency {
	if a.audio.Web != nil {
		return a.audio.AddedLatency()
	}
	return deviceLatency(a.live.mic.Load(), a.live.speaker.Load())
}

// deviceLatency is what the buffers of mic and speaker add (either may be
// nil: a file input, typed turns only).
func deviceLatency(mic *audio.Mic, sp *audio.Speaker) AddedLatency {
	switch {
	case mic != nil && sp != nil:
		in, out := mic.Latency(), sp.Latency()
		return AddedLatency{Path: "device buffers (" + mic.Backend() + ")", Capture: in, Playback: out, Measured: in > 0 && out > 0}
	case sp != nil:
		out := sp.Latency()
		return AddedLatency{Path: "device buffer (" + sp.Backend() + ")", Playback: out, Measured: out > 0}
	}
	return AddedLatency{}
}

// PageLatency is what the browser page adds, from its report (ok false:
// no page has reported yet). The playback part counts from a sound
// reaching the page, so it includes the jitter buffer's wait, which
// voice_to_voice already holds (the page reports a sound started after
// that wait): an upper bound by that wait, which is near 0 where the link
// carries a sound faster than real time and at most the jitter target.
func PageLatency(st web.PageStats, ok bool) AddedLatency {
	l := AddedLatency{Path: "browser page", Capture: st.CaptureDelay(), Playback: st.PlaybackDelay()}
	l.Measured = ok && st.FirstMS.N > 0
	return l
}

// ProbeLatency opens the devices of cfg briefly, as OpenAudio would, and
// returns what their buffers add, with the probe's report (doctor's view
// of AddedLatency). The error says why a device did not open or play.
func ProbeLatency(ctx context.Context, cfg config.Audio) (AddedLatency, audio.ProbeReport, error) {
	lat, err := audio.ParseLatency(cfg.Latency)
	if err != nil {
		return AddedLatency{}, audio.ProbeReport{}, fmt.Errorf("audio.latency: %w", err)
	}
	p, err := audio.Probe(ctx, audio.ProbeOptions{Backend: backend(cfg.Backend), InputDevice: cfg.InputDevice,
		OutputDevice: cfg.OutputDevice, Latency: lat})
	l := AddedLatency{Path: "device buffers (" + p.Capture.Backend + ")", Capture: p.Capture.Delay, Playback: p.Playback.Delay}
	l.Measured = err == nil && l.Capture > 0 && l.Playback > 0
	return l, p, err
}
