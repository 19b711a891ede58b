package audio

import (
	"fmt"
	"strings"
	"time"

	"github.com/gen2brain/malgo"
)

// Latency sizes a device's buffer: each callback moves one Period of
// audio, and the buffer holds Periods of them. The zero value is "auto".
type Latency struct {
	// Period is the device period; 0 picks it from the server (auto).
	Period time.Duration
	// Periods is how many periods the device buffer holds; 0 is the
	// backend's default (3).
	Periods int
}

// Auto's periods for a remote PulseAudio server. Why so large for
// playback: miniaudio asks PulseAudio for a target buffer of one period,
// and each refill waits a network round trip, so with small periods
// playback runs slower than real time, in bursts. Measured over a relay
// that delays each direction by 50 ms (a 100 ms round trip), 5 s of sound
// took 31 s to play at 25 ms, 8.5 s at 200 ms, 5.1-7.2 s at 250 ms,
// 5.0-5.9 s at 300 ms and 5.0 s at 400 ms (every run). Capture needs no
// round trip (the server pushes), and kept real time at 25 ms; 200 ms
// fragments only spare the link many small packets. The cost is latency
// the user hears (see Speaker.Latency): the price of the network.
const (
	RemotePlaybackPeriod = 400 * time.Millisecond
	RemoteCapturePeriod  = 200 * time.Millisecond
)

// LocalPlaybackPeriod is auto's playback period for a local server. Why
// not the backend's default (10 ms, which PulseAudio turns into an 18.75-25
// ms callback and a target buffer of one period): on a busy machine a
// refill can come too late for so small a buffer; the speaker underruns,
// which shifts what is heard against what was handed over, and the echo
// canceller loses its alignment. Measured with two busy loops beside the
// device test of package audio/echo: at the default 7 of 14 runs failed
// (ERLE down to 1.4 dB, the alignment moved up to 18 times in a run); at
// 50 ms 8 of 8 passed at 18.2-22.1 dB and it never moved. The cost
// is about 25 ms more before a reply is heard and before a barge-in
// silences it. Capture keeps the default: the server pushes it.
const LocalPlaybackPeriod = 50 * time.Millisecond

// Latency bounds accepted by ParseLatency and the config.
const (
	MinPeriod = 5 * time.Millisecond
	MaxPeriod = time.Second
)

// defaultPeriods is miniaudio's period count when none is asked for.
const defaultPeriods = 3

// ParseLatency reads audio.latency: "auto", or a period such as "20ms" or
// "250ms" between MinPeriod and MaxPeriod.
func ParseLatency(s string) (Latency, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "auto" {
		return Latency{}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < MinPeriod || d > MaxPeriod {
		return Latency{}, fmt.Errorf("latency %q (want auto or a period from %v to %v): %w", s, MinPeriod, MaxPeriod, ErrInvalidOptions)
	}
	return Latency{Period: d}, nil
}

// String shows the latency as audio.latency would say it.
func (l Latency) String() string {
	if l.Period == 0 {
		return "auto"
	}
	if l.Periods == 0 {
		return l.Period.String()
	}
	return fmt.Sprintf("%v x %d", l.Period, l.Periods)
}

// resolve turns auto into a period for the server and the direction: a
// remote period for a remote server; for a local one LocalPlaybackPeriod
// for playback and the backend's default (left at 0) for capture.
func (l Latency) resolve(s Server, kind malgo.DeviceType) Latency {
	switch {
	case l.Period != 0:
	case !s.Remote && kind == malgo.Playback:
		l.Period = LocalPlaybackPeriod
	case !s.Remote:
	case kind == malgo.Playback:
		l.Period = RemotePlaybackPeriod
	default:
		l.Period = RemoteCapturePeriod
	}
	return l
}

// apply sets the device config's period and period count.
func (l Latency) apply(cfg *malgo.DeviceConfig) {
	cfg.PeriodSizeInMilliseconds = uint32(l.Period / time.Millisecond)
	cfg.Periods = uint32(l.Periods)
}

// bufferDelay estimates the delay a device buffer adds to what passes
// through it, from the period a callback actually moved: PulseAudio keeps
// one period queued (miniaudio asks for a target length of one period),
// ALSA and the null backend the whole buffer of Periods. The server's own
// sink or source latency comes on top and is not visible from here.
func bufferDelay(backend string, period time.Duration, periods int) time.Duration {
	if backend == "pulseaudio" {
		return period
	}
	if periods <= 0 {
		periods = defaultPeriods
	}
	return period * time.Duration(periods)
}
