package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"parley/audio"
	"parley/pipeline"
)

// audioStateBuffer is how many device state changes wait to be shown: a
// loss, the first reconnection attempt and the return are three per
// device, so a full queue means nobody reads it.
const audioStateBuffer = 32

// closeLimit bounds Audio.Close. The devices close at the same time, each
// within audio.DefaultCloseTimeout; one whose server does not let go even
// then is abandoned, so that parley's exit never waits on a device.
const closeLimit = time.Second

// errAudioClose indicates an audio end still closing when closeLimit passed.
var errAudioClose = errors.New("audio ends still closing; abandoned")

// resilience is what the devices do when the audio server goes away:
// reconnect with backoff, and queue each change of state for the
// conversation (see States).
func (a *Audio) resilience() audio.Resilience {
	return audio.Resilience{Reconnect: true, OnState: a.onState}
}

// onState runs on a device's watcher goroutine: it queues the change and
// never blocks (a change that finds the queue full is dropped).
func (a *Audio) onState(c audio.StateChange) {
	select {
	case a.states <- c:
	default:
	}
}

// States returns the devices' state changes: lost, reconnecting, restored.
func (a *Audio) States() <-chan audio.StateChange {
	return a.states
}

// openPlayback opens the speaker. Without a microphone (a file input,
// typed turns) a missing sound server or sound card is only a notice: the
// replies are still synthesised and played, to the null device.
func (a *Audio) openPlayback(ctx context.Context, opts audio.SpeakerOptions) (*audio.Speaker, error) {
	_, file := a.Source.(*audio.FileSource)
	_, typed := a.Source.(noInput)
	if !file && !typed {
		return audio.OpenSpeaker(ctx, opts)
	}
	sp, notice, err := audio.OpenSpeakerOrNull(ctx, opts)
	if notice != "" {
		text, _, _ := strings.Cut(notice, ". Fix: ")
		a.Notices = append(a.Notices, pipeline.Notice{Fact: "speaker", Text: text, Detail: notice})
	}
	return sp, err
}

// closeAll calls the closers at the same time and returns when all have
// returned or limit has passed, whichever comes first.
func (c *closers) closeAll(limit time.Duration) error {
	fns := *c
	*c = nil
	done := make(chan error, len(fns))
	for _, f := range fns {
		go func() { done <- f() }()
	}
	timeout := time.NewTimer(limit)
	defer timeout.Stop()
	errs := make([]error, 0, len(fns))
	for range fns {
		select {
		case err := <-done:
			errs = append(errs, err)
		case <-timeout.C:
			return errors.Join(append(errs, fmt.Errorf("after %v: %w", limit, errAudioClose))...)
		}
	}
	return errors.Join(errs...)
}

// reportAudio shows the devices' state changes in the conversation until
// ctx ends: a loss as an error naming the audio server; the first
// reconnection attempt and the return as the device's fact, one line that
// the return replaces ("microphone: audio lost, reconnecting…", then
// "microphone: audio restored after 2.1 s").
func (a *App) reportAudio(ctx context.Context) {
	for {
		select {
		case c := <-a.audio.States():
			switch {
			case c.State == audio.DeviceLost:
				a.pipe.NotifyError(c.String())
			case c.State == audio.DeviceRestored || c.Attempt <= 1:
				a.pipe.Announce(pipeline.Notice{Fact: c.Stream, Text: c.String()})
			}
		case <-ctx.Done():
			return
		}
	}
}
