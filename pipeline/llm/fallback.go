package llm

import (
	"context"
	"errors"
	"sync"
	"time"
)

// DefaultCheckInterval is how often Fallback.Watch probes the server.
const DefaultCheckInterval = 10 * time.Second

// Prober is implemented by responders that can tell cheaply whether their
// server answers.
type Prober interface {
	// Probe returns nil when the server is reachable.
	Probe(ctx context.Context) error
}

// FallbackOptions configures NewFallback.
type FallbackOptions struct {
	// CheckInterval is how often Watch probes the server, and the longest
	// a probe may take; 0 means DefaultCheckInterval.
	CheckInterval time.Duration
	// Probe returns nil when the primary's server is reachable; nil means
	// the primary's own Probe when it is a Prober.
	Probe func(ctx context.Context) error
	// OnChange, if set, is called after each switch between online and
	// offline, in order and never concurrently; reason says why, e.g. the
	// error that made the server count as unreachable. It must not block.
	OnChange func(online bool, reason string)
}

// Fallback answers with the primary responder while its server can be
// reached, and with the offline responder otherwise. A connection error
// or a timeout before the first token switches it offline (that turn is
// answered offline at once); Watch probes the server and switches back,
// so without Watch running it stays offline once switched.
// Other errors (an HTTP error status, a malformed stream, a cancelled ctx)
// are returned as they are. It implements Responder and is safe for
// concurrent use.
type Fallback struct {
	primary, offline Responder
	interval         time.Duration
	probe            func(ctx context.Context) error
	onChange         func(online bool, reason string)

	notify sync.Mutex // held across a switch and its OnChange call
	mu     sync.Mutex // guards online and reason
	online bool
	reason string
}

var _ Responder = (*Fallback)(nil)

// NewFallback returns a Fallback that starts online.
func NewFallback(primary, offline Responder, opts FallbackOptions) *Fallback {
	f := &Fallback{
		primary:  primary,
		offline:  offline,
		interval: opts.CheckInterval,
		probe:    opts.Probe,
		onChange: opts.OnChange,
		online:   true,
	}
	if f.interval <= 0 {
		f.interval = DefaultCheckInterval
	}
	if p, ok := primary.(Prober); ok && f.probe == nil {
		f.probe = p.Probe
	}
	return f
}

// Name implements Responder: the name of the responder now answering.
func (f *Fallback) Name() string {
	if f.Online() {
		return f.primary.Name()
	}
	return f.offline.Name()
}

// Online reports whether answers come from the primary responder.
func (f *Fallback) Online() bool {
	online, _ := f.Status()
	return online
}

// Status reports whether answers come from the primary responder, and the
// reason given at the last switch ("" before any).
func (f *Fallback) Status() (online bool, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.online, f.reason
}

// Respond implements Responder.
func (f *Fallback) Respond(ctx context.Context, history []Message) (Reply, error) {
	if !f.Online() {
		return f.offline.Respond(ctx, history)
	}
	r, err := f.primary.Respond(ctx, history)
	if err == nil {
		return &watchedReply{Reply: r, f: f}, nil
	}
	if !unreachable(ctx, err) {
		return nil, err
	}
	f.set(false, err.Error())
	return f.offline.Respond(ctx, history)
}

// unreachable reports an error that means the server cannot be used now,
// as opposed to one the caller caused by cancelling ctx.
func unreachable(ctx context.Context, err error) bool {
	return ctx.Err() == nil && (errors.Is(err, ErrUnreachable) || errors.Is(err, ErrTimeout))
}

// Watch probes the server every CheckInterval, first at once, and
// switches online or offline by the result, until ctx is done; it then
// returns ctx.Err(). It returns ErrNoProbe at once when there is nothing
// to probe with. Run it in its own goroutine; it starts none.
func (f *Fallback) Watch(ctx context.Context) error {
	if f.probe == nil {
		return ErrNoProbe
	}
	f.check(ctx)
	t := time.NewTicker(f.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			f.check(ctx)
		}
	}
}

// check runs one probe, bounded by the check interval.
func (f *Fallback) check(ctx context.Context) {
	pctx, cancel := context.WithTimeout(ctx, f.interval)
	defer cancel()
	err := f.probe(pctx)
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		f.set(false, err.Error())
		return
	}
	f.set(true, "server answered")
}

// set records the state and, if it changed, tells OnChange.
func (f *Fallback) set(online bool, reason string) {
	f.notify.Lock()
	defer f.notify.Unlock()
	f.mu.Lock()
	changed := f.online != online
	f.online = online
	if changed {
		f.reason = reason
	}
	f.mu.Unlock()
	if changed && f.onChange != nil {
		f.onChange(online, reason)
	}
}

// watchedReply passes a primary reply through, switching the Fallback
// offline if the server is lost mid-reply (the error is still returned:
// text already delivered cannot be taken back).
type watchedReply struct {
	Reply
	f *Fallback
}

// Next implements Reply.
func (w *watchedReply) Next(ctx context.Context) (string, error) {
	text, err := w.Reply.Next(ctx)
	if err != nil && unreachable(ctx, err) {
		w.f.set(false, err.Error())
	}
	return text, err
}
