package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"

	"parley/audio"
	"parley/audio/web"
	"parley/config"
	"parley/pipeline"
)

// Browser audio (audio.backend = "web"): the page that audio/web serves is
// the microphone and the speaker. What changes for the conversation:
//
//   - parley's own echo canceller is off: the browser cancels the echo
//     (getUserMedia's echoCancellation, with noise suppression and gain
//     control), before the audio leaves the laptop.
//   - Half-duplex and barge-in work as for a microphone without parley's
//     canceller: conversation.half_duplex ignores the page's microphone
//     while parley speaks, unless barge-in is on; with barge-in on, speech
//     over parley must pass vad.playback_threshold and vad.barge_in_level,
//     as with parley's own canceller: the echo the browser leaves is meant
//     to stay under them (not measured here: a fake microphone hears no
//     speaker). There is no double-talk detector to ask: the browser keeps
//     its own.
//   - The page's push-to-talk button is the TUI's push-to-talk key.
//   - Every conversation event a person reads (heard, partial, delta,
//     answer, said, interrupted, notices, errors) is also shown on the page;
//     a reloaded page gets the conversation so far.
//   - The page's connection state ("browser connected from …", "browser
//     disconnected (…)") is the "page" fact in the TUI (a newer state
//     replaces the line), headless output and the log.
//   - The microphone and the speaker cannot be switched in the TUI: the
//     browser picks them.

// errWebDevice indicates a device flag given with the browser backend.
var errWebDevice = errors.New(`--input-device and --output-device name sound card devices; with audio.backend = "web" the browser page is the microphone and the speaker`)

// openWeb serves the browser page and makes it the audio ends: the page's
// microphone (a file with --input, nothing with NoMic) and its speaker.
func openWeb(ctx context.Context, cfg config.Audio, opts Options) (*Audio, error) {
	if opts.InputDevice != "" || opts.OutputDevice != "" {
		return nil, errWebDevice
	}
	link := &pageLink{done: make(chan struct{})}
	srv, err := web.Listen(ctx, web.Options{Addr: cfg.WebAddr, OnState: link.state, OnPushToTalk: link.pushToTalk})
	if err != nil {
		return nil, fmt.Errorf("audio.backend = \"web\": %w", err)
	}
	a := &Audio{Web: srv, page: link, cfg: cfg}
	a.closers.add(srv.Close)
	a.closers.add(link.close)
	switch {
	case opts.NoMic && opts.Input == "":
		a.Source = noInput{}
		return a, nil
	case opts.Input == "":
		a.Source = srv.Mic()
		return a, nil
	}
	if err := a.openFile(opts); err != nil {
		_ = a.Close()
		return nil, err
	}
	return a, nil
}

// pageControl is what the page sends the conversation: its state, as a
// fact, and push-to-talk; *pipeline.Pipeline is one.
type pageControl interface {
	Announce(n pipeline.Notice)
	SetPushToTalk(talking bool)
}

// pageLink carries the page's connection states and push-to-talk to the
// pipeline, which is built after the audio ends; until then they are only
// the server's State.
type pageLink struct {
	mu        sync.Mutex
	ctl       pageControl   // nil until attached
	done      chan struct{} // closed by Audio.Close: the event relay stops
	closeOnce sync.Once
}

func (l *pageLink) attach(ctl pageControl) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ctl = ctl
}

func (l *pageLink) control() pageControl {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ctl
}

func (l *pageLink) state(st web.State) {
	if c := l.control(); c != nil {
		c.Announce(pipeline.Notice{Fact: "page", Text: st.Message})
	}
}

func (l *pageLink) pushToTalk(on bool) {
	if c := l.control(); c != nil {
		c.SetPushToTalk(on)
	}
}

func (l *pageLink) close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return nil
}

// attach connects the pipeline to the audio ends and returns the event
// stream the front end reads: with the browser page, the pipeline's events
// pass through a relay that shows them on the page too.
func (a *Audio) attach(p *pipeline.Pipeline) <-chan pipeline.Event {
	if a.Web == nil {
		return p.Events()
	}
	a.page.attach(p)
	return relayEvents(a.page.done, p.Events(), a.Web)
}

// publisher shows an event on the page; *web.Server is one.
type publisher interface {
	Publish(kind, text string)
}

// relayEvents passes every event of in on, in order, after showing those a
// person reads on page. It stops when in closes (the pipeline ended) or
// done does (the App closed while nobody read).
func relayEvents(done <-chan struct{}, in <-chan pipeline.Event, page publisher) <-chan pipeline.Event {
	out := make(chan pipeline.Event, cap(in))
	go func() {
		defer close(out)
		for {
			var ev pipeline.Event
			var ok bool
			select {
			case ev, ok = <-in:
			case <-done:
				return
			}
			if !ok {
				return
			}
			if kind, shown := pageKind(ev.Kind); shown {
				page.Publish(kind, ev.Text)
			}
			select {
			case out <- ev:
			case <-done:
				return
			}
		}
	}()
	return out
}

// pageKind names an event for the page's transcript; false for the events
// only the TUI draws (state, speech start, metrics).
func pageKind(k pipeline.Kind) (string, bool) {
	switch k {
	case pipeline.KindHeard, pipeline.KindPartial, pipeline.KindAnswerDelta, pipeline.KindAnswer,
		pipeline.KindSaid, pipeline.KindInterrupted, pipeline.KindError:
		return string(k), true
	case pipeline.KindInfo:
		return "notice", true
	}
	return "", false
}

// player is the pipeline's Player: the page's speaker, else the device.
func (a *Audio) player() pipeline.Player {
	if a.Web != nil {
		return speakerAdapter[*web.Playback]{sp: a.Web.Speaker()}
	}
	return speakerAdapter[*audio.Playback]{sp: a.Speaker}
}

// live reports whether the conversation listens to a microphone (a
// device's or the page's), which hears parley's voice, not to a file.
func (a *Audio) live() bool {
	return a.Mic != nil || (a.Web != nil && a.Source == pipeline.Source(a.Web.Mic()))
}

// pageLevel is the page microphone's latest level, when it is the input.
func (a *Audio) pageLevel() (rms, peak float32, ok bool) {
	if a.Web == nil || !a.live() {
		return 0, 0, false
	}
	l := a.Web.Mic().Level()
	return l.RMS, l.Peak, true
}

// webName describes the browser input for the start-up fact's detail.
func (a *Audio) webName() string {
	_, typed := a.Source.(noInput)
	switch {
	case typed:
		return "typed turns only (replies on the browser page)"
	case !a.live():
		return "file input (replies on the browser page)"
	}
	return "the browser page (the browser's echo cancellation, noise suppression and gain control; audio.aec unused)"
}

// pageFact is the start-up fact of the browser page: its address with the
// per-run token, the one thing the user must do. The detail says what the
// page serves as and how to reach it from another machine.
func (a *Audio) pageFact() pipeline.Notice {
	n := pipeline.Notice{Fact: "audio", Text: "browser audio: open " + a.Web.URL(), Detail: "input: " + a.webName()}
	if host, port, err := net.SplitHostPort(a.Web.Addr().String()); err == nil && net.ParseIP(host).IsLoopback() {
		n.Detail += fmt.Sprintf("; from another machine: ssh -L %s:127.0.0.1:%s this-host, then open %s there", port, port, a.Web.URL())
	}
	return n
}
