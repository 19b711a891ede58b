package audio

import (
	"fmt"
	"time"
)

// DeviceState is where a Mic's or Speaker's device stands after it opened.
type DeviceState int

// Device states, in the order a loss goes through them.
const (
	// DeviceLost: the audio server went away, stalled or stopped the
	// device. A Mic then reads silence, a Speaker's Play fails.
	DeviceLost DeviceState = iota + 1
	// DeviceReconnecting: an attempt to open the device again is under way
	// (only with Reconnect).
	DeviceReconnecting
	// DeviceRestored: the device is open again and audio flows.
	DeviceRestored
)

// String names the state for the UI.
func (s DeviceState) String() string {
	switch s {
	case DeviceLost:
		return "lost"
	case DeviceReconnecting:
		return "reconnecting"
	case DeviceRestored:
		return "restored"
	}
	return fmt.Sprintf("DeviceState(%d)", int(s))
}

// StateChange reports one change of a device's state, for the UI ("audio
// lost, reconnecting…") and the conversation log.
type StateChange struct {
	// Stream is "microphone" or "speaker".
	Stream string
	// State is the new state.
	State DeviceState
	// Err says why: for DeviceLost the loss (it wraps ErrDeviceLost and
	// names the server), for DeviceReconnecting the previous attempt's
	// failure (nil before the first), nil for DeviceRestored.
	Err error
	// Attempt counts the reconnection attempts since the loss (from 1).
	Attempt int
	// Down is how long the device has been lost.
	Down time.Duration
}

// String says what happened in one line.
func (c StateChange) String() string {
	switch {
	case c.State == DeviceLost:
		return fmt.Sprintf("%s: audio lost: %v", c.Stream, c.Err)
	case c.State == DeviceReconnecting && c.Attempt > 1:
		return fmt.Sprintf("%s: audio lost, reconnecting (attempt %d)…", c.Stream, c.Attempt)
	case c.State == DeviceReconnecting:
		return fmt.Sprintf("%s: audio lost, reconnecting…", c.Stream)
	default:
		return fmt.Sprintf("%s: audio restored after %.1f s", c.Stream, c.Down.Seconds())
	}
}

// Resilience says what a Mic or Speaker does when its audio server goes
// away. The zero value notices the loss and reports it (a Mic's Read and a
// Speaker's Play return ErrDeviceLost) but does not reconnect.
type Resilience struct {
	// Reconnect reopens the device, with backoff, until the server answers
	// again. Meanwhile a Mic's Read returns silence in real time (so the
	// pipeline keeps running and an utterance in progress ends), and a
	// Speaker's Play fails at once with ErrDeviceLost.
	Reconnect bool
	// OnState, when set, receives every state change. It is called from
	// the device's watcher goroutine, never the audio thread; it must
	// return quickly (hand the change to a channel or the UI).
	OnState func(StateChange)
}
