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

// RemotePeriod is auto's period for a remote PulseAudio server. Why so
// large: PulseAudio's target buffer is one period, and with small periods
// every refill waits a network round trip, so playback runs slower than
// real time (a 5 s file took 38 s at 20 ms over a 100 ms round trip, and
// capture fell behind). A period above the round trip keeps both flowing;
// it adds that much latency, which is the price of the network.
const RemotePeriod = 200 * time.Millisecond

// Latency bounds accepted by ParseLatency and the config.
const (
	MinPeriod = 5 * time.Millisecond
	MaxPeriod = time.Second
)

// defaultPeriods is miniaudio's period count when none is asked for.
const defaultPeriods = 3

// localPeriod is miniaudio's default PulseAudio period (25 ms), what auto
// leaves a local server.
const localPeriod = 25 * time.Millisecond

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

// resolve turns auto into a period for the server: RemotePeriod for a
// remote one, the backend's default (left at 0) for a local one.
func (l Latency) resolve(s Server) Latency {
	if l.Period == 0 && s.Remote {
		l.Period = RemotePeriod
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
