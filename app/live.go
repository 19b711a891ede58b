package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"parley/audio"
	"parley/audio/echo"
	"parley/config"
	"parley/pipeline"
)

// liveSource is the pipeline's Source over an input that a device switch
// replaces while parley runs. Read and replace take turns holding one
// token, so the new input takes over between two reads: no read ever runs
// on an input being replaced, and the old input is closed only once no
// read uses it. The token is a channel rather than a mutex so that a
// switch can give up when its context ends; Go hands a returned token to
// the longest waiter, so a switch waits for one read at most.
type liveSource struct {
	token chan struct{}
	src   pipeline.Source // guarded by token
}

func newLiveSource(src pipeline.Source) *liveSource {
	s := &liveSource{token: make(chan struct{}, 1), src: src}
	s.token <- struct{}{}
	return s
}

// Read implements pipeline.Source.
func (s *liveSource) Read(ctx context.Context, p []float32) (int, error) {
	select {
	case <-s.token:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	defer func() { s.token <- struct{}{} }()
	return s.src.Read(ctx, p)
}

// replace makes src the input from the next read on, once the read in
// progress (if any) has returned.
func (s *liveSource) replace(ctx context.Context, src pipeline.Source) error {
	select {
	case <-s.token:
	case <-ctx.Done():
		return fmt.Errorf("wait for the input to pause: %w", ctx.Err())
	}
	s.src = src
	s.token <- struct{}{}
	return nil
}

// livePlayer is the pipeline's Player over a speaker that a device switch
// replaces while parley runs. Sounds queued on the old speaker end
// flushed when it closes (the reply playing is cut short); the next one
// plays on the new speaker.
type livePlayer struct {
	mu sync.RWMutex
	p  pipeline.Player
	// latency is what the audio path adds after a sample is handed over
	// (AddedLatency.Playback of the devices in use, or the browser page's);
	// nil: unknown.
	latency func() time.Duration
}

// Latency implements the pipeline's optional device-latency report (the
// device_latency metric): the same figure as the pipeline pane's "out".
func (l *livePlayer) Latency() time.Duration {
	if l.latency == nil {
		return 0
	}
	return l.latency()
}

// Play implements pipeline.Player.
func (l *livePlayer) Play(ctx context.Context, samples []float32, rate int) (pipeline.Playback, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.p.Play(ctx, samples, rate)
}

// Flush implements pipeline.Player.
func (l *livePlayer) Flush() {
	l.mu.RLock()
	defer l.mu.RUnlock()
	l.p.Flush()
}

func (l *livePlayer) replace(p pipeline.Player) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.p = p
}

// audioParts are the devices behind the live source and player.
type audioParts struct {
	mic       *audio.Mic                // nil for a file or typed input
	ref       *echo.EchoReference       // nil without echo cancellation
	canceller *echo.EchoCancelledSource // reads mic; nil without echo cancellation
	speaker   *audio.Speaker
	input     pipeline.Source // what the pipeline hears when mic is nil
}

// source is what the pipeline reads with these parts.
func (p audioParts) source() pipeline.Source {
	switch {
	case p.canceller != nil:
		return p.canceller
	case p.mic != nil:
		return p.mic
	}
	return p.input
}

// closeUnless closes the parts of p that keep does not use. Closing twice
// is harmless for every part, so the Audio that opened the first parts may
// close them again.
func (p audioParts) closeUnless(keep audioParts) error {
	var errs []error
	if p.canceller != nil && p.canceller != keep.canceller {
		errs = append(errs, p.canceller.Close())
	}
	if p.mic != nil && p.mic != keep.mic {
		errs = append(errs, p.mic.Close())
	}
	if p.speaker != nil && p.speaker != keep.speaker {
		errs = append(errs, p.speaker.Close())
	}
	return errors.Join(errs...)
}

// liveAudio is the audio of a running conversation: the pipeline reads its
// source and plays to its player, and a device picked in the TUI replaces
// the microphone or the speaker behind them without a restart. Echo
// cancellation follows: a new microphone gets a new canceller on the same
// reference, a new speaker a new reference and a canceller on the same
// microphone.
type liveAudio struct {
	source      *liveSource
	player      *livePlayer
	cfg         config.Audio
	micOpts     audio.MicOptions
	speakerOpts audio.SpeakerOptions
	web         bool // the browser page is the microphone and the speaker: no switch

	mu        sync.Mutex // serialises switches; guards parts
	parts     audioParts
	mic       atomic.Pointer[audio.Mic]                // parts.mic, for the level meter and latency
	speaker   atomic.Pointer[audio.Speaker]            // parts.speaker, for the latency
	canceller atomic.Pointer[echo.EchoCancelledSource] // parts.canceller, for the double-talk rule
}

// newLiveAudio takes over the devices au opened (the browser page's ends
// stay au's: they are never switched).
func newLiveAudio(au *Audio) *liveAudio {
	parts := audioParts{mic: au.Mic, ref: au.Echo, speaker: au.Speaker, input: au.Source}
	parts.canceller, _ = au.Source.(*echo.EchoCancelledSource)
	l := &liveAudio{
		source: newLiveSource(parts.source()), player: &livePlayer{p: au.player()},
		cfg: au.cfg, micOpts: au.micOpts, speakerOpts: au.speakerOpts, web: au.Web != nil, parts: parts,
	}
	l.store(parts)
	return l
}

// store publishes parts to the readers that do not take mu.
func (l *liveAudio) store(parts audioParts) {
	l.mic.Store(parts.mic)
	l.speaker.Store(parts.speaker)
	l.canceller.Store(parts.canceller)
}

// talkingOver is the pipeline's double-talk detector: the current echo
// canceller's.
func (l *liveAudio) talkingOver() bool {
	c := l.canceller.Load()
	return c != nil && c.TalkingOver()
}

// now returns the devices in use.
func (l *liveAudio) now() audioParts {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.parts
}

// close closes the devices in use.
func (l *liveAudio) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.parts.closeUnless(audioParts{})
}

// errNoMic indicates a microphone switch while parley listens to no
// microphone.
var errNoMic = errors.New("parley listens to no microphone in this run (--input or typed turns)")

// errWebSwitch indicates a device switch or list with the browser backend.
var errWebSwitch = errors.New(`the browser page is the microphone and the speaker (audio.backend = "web"): choose devices in the browser`)

// switchMic opens the capture device id and makes it the input from the
// next read on; the old microphone closes.
func (l *liveAudio) switchMic(ctx context.Context, id string) (audio.DeviceInfo, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.web:
		return audio.DeviceInfo{}, errWebSwitch
	case l.parts.mic == nil:
		return audio.DeviceInfo{}, errNoMic
	}
	opts := l.micOpts
	opts.Device = id
	mic, err := audio.OpenMic(ctx, opts)
	if err != nil {
		return audio.DeviceInfo{}, fmt.Errorf("switch microphone: %w", err)
	}
	next := l.parts
	next.mic = mic
	if next.ref != nil {
		if next.canceller, err = newCanceller(l.cfg, mic, next.ref); err != nil {
			_ = mic.Close()
			return audio.DeviceInfo{}, err
		}
	}
	return mic.Device(), l.install(ctx, next)
}

// switchSpeaker opens the playback device id and plays the next sound on
// it; the old speaker closes.
func (l *liveAudio) switchSpeaker(ctx context.Context, id string) (audio.DeviceInfo, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.web {
		return audio.DeviceInfo{}, errWebSwitch
	}
	next := l.parts
	opts := l.speakerOpts
	opts.Device = id
	if next.ref != nil { // never a typed nil in the interface
		next.ref = newEchoReference(l.cfg)
		opts.EchoReference = next.ref
	}
	sp, err := audio.OpenSpeaker(ctx, opts)
	if err != nil {
		return audio.DeviceInfo{}, fmt.Errorf("switch speaker: %w", err)
	}
	next.speaker = sp
	if next.ref != nil {
		if next.canceller, err = newCanceller(l.cfg, next.mic, next.ref); err != nil {
			_ = sp.Close()
			return audio.DeviceInfo{}, err
		}
	}
	return sp.Device(), l.install(ctx, next)
}

// install puts next in place of the parts in use (the input between two
// reads) and closes what next no longer uses; if the input cannot be
// replaced in time, next's own parts are closed instead.
func (l *liveAudio) install(ctx context.Context, next audioParts) error {
	prev := l.parts
	if next.source() != prev.source() {
		if err := l.source.replace(ctx, next.source()); err != nil {
			_ = next.closeUnless(prev)
			return err
		}
	}
	if next.speaker != prev.speaker {
		l.player.replace(speakerAdapter[*audio.Playback]{sp: next.speaker})
	}
	l.parts = next
	l.store(next)
	if err := prev.closeUnless(next); err != nil {
		return fmt.Errorf("close the old device: %w", err)
	}
	return nil
}
