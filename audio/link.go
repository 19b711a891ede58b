package audio

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Loss detection. Why these numbers: a device callback comes every period
// (25 ms locally, 200 ms remote), so half a second without one is already
// odd; then a connect to the server's socket tells a dead server (refused:
// lost at once) from a busy one. A server that accepts but says nothing
// (stopped, or a dead network link) is lost after stallAfter, or four
// periods when that is longer. Either way the loss is noticed within 2 s.
// A device that just opened gets startGrace for its first callback: a
// freshly started server may take seconds to get its streams going.
const (
	watchEvery   = 100 * time.Millisecond
	suspectAfter = 500 * time.Millisecond
	stallAfter   = 1500 * time.Millisecond
	startGrace   = 5 * time.Second
)

// Reconnection backoff: the first attempt comes at once, later ones wait
// twice as long each time, up to backoffMax (a server restarting comes
// back within a second or two; one that stays away is asked rarely).
const (
	backoffMin = 250 * time.Millisecond
	backoffMax = 4 * time.Second
)

// DefaultCloseTimeout is how long Close waits for the audio server to let
// a device go before abandoning it (see CloseContext). Why: SIGINT must end
// parley within 2 s, and a Mic and a Speaker may both be stuck.
const DefaultCloseTimeout = 500 * time.Millisecond

// gate lets one producer at a time write a Mic's ring or play a Speaker's
// queue: the current device's callbacks, or while it is lost the Mic's
// silence. Every producer has a generation; a callback of a device that
// was replaced (one that wakes up after a stall, or an abandoned open that
// succeeds late) finds another generation in the gate and does nothing.
// Why an atomic and not a mutex: the capture callback must never wait.
type gate struct {
	owner atomic.Uint64
}

const gateBusy = 1 << 63

// enter claims the gate for a producer of generation gen.
func (g *gate) enter(gen uint64) bool { return g.owner.CompareAndSwap(gen, gen|gateBusy) }

// leave releases the gate after enter.
func (g *gate) leave(gen uint64) { g.owner.Store(gen) }

// hand gives the gate to generation to once no producer is inside it (a
// callback is in for microseconds).
func (g *gate) hand(to uint64) {
	for {
		cur := g.owner.Load()
		if cur&gateBusy == 0 && g.owner.CompareAndSwap(cur, to) {
			return
		}
		runtime.Gosched()
	}
}

// link keeps the device of a Mic or a Speaker: it opens it, watches its
// callbacks, notices a loss, reopens it when asked to, and closes it with a
// deadline. The device's C side runs on its own; everything here runs on
// the watcher goroutine or the caller's.
type link struct {
	what    string        // "microphone" or "speaker", for messages
	req     streamRequest // data is the owner's callback; the watcher's after start
	res     Resilience
	lat     Latency
	onLost  func(silence uint64, err error) // the owner's reaction, on the watcher
	gate    gate
	gens    atomic.Uint64
	last    atomic.Int64 // UnixNano of the current device's latest callback
	flowing atomic.Bool  // the current device has called back at least once

	mu     sync.Mutex
	s      *stream // nil while lost, and after close
	cur    linkState
	lostAt time.Time

	pending   *attempt // an open still running after its timeout
	stopped   chan uint64
	closed    chan struct{}
	closeOnce sync.Once
	done      chan struct{}
}

// linkState is what a link's users may ask about its device.
type linkState struct {
	gen     uint64 // the current device's generation
	info    DeviceInfo
	backend string
	rate    int   // the device's sample rate, kept across reconnections
	why     error // why the device is lost; nil while it plays
}

// attempt is an open in flight; reconnection waits for it rather than
// start another while the server does not answer.
type attempt struct {
	gen uint64
	res chan openResult
}

func newLink(what string, req streamRequest, res Resilience, lat Latency, onLost func(uint64, error)) *link {
	lat.apply(&req.config)
	return &link{
		what: what, req: req, res: res, lat: lat, onLost: onLost,
		stopped: make(chan uint64, 4), closed: make(chan struct{}), done: make(chan struct{}),
	}
}

// start opens the first device and starts the watcher.
func (l *link) start(ctx context.Context) error {
	g := l.gens.Add(1)
	s, err := openStream(ctx, l.request(g))
	if err != nil {
		return err
	}
	l.install(g, s)
	go l.watch()
	return nil
}

// request wraps the owner's callback for one generation of device.
func (l *link) request(g uint64) streamRequest {
	req, data := l.req, l.req.data
	req.data = func(out, in []byte, frames uint32) {
		if !l.gate.enter(g) {
			return
		}
		l.last.Store(time.Now().UnixNano())
		if !l.flowing.Load() {
			l.flowing.Store(true)
		}
		data(out, in, frames)
		l.gate.leave(g)
	}
	req.stop = func() {
		select {
		case l.stopped <- g:
		default:
		}
	}
	return req
}

// install makes s the current device. A reconnection reopens the same
// backend at the same rate, so what the owner set up for it stays true.
func (l *link) install(g uint64, s *stream) {
	l.last.Store(time.Now().UnixNano())
	l.flowing.Store(false)
	l.gate.hand(g)
	st := linkState{gen: g, info: s.info, backend: s.backend, rate: int(s.dev.SampleRate())}
	l.mu.Lock()
	l.s, l.cur = s, st
	l.mu.Unlock()
	l.req.backend = s.backend
	l.req.config.SampleRate = uint32(st.rate)
}

// watch runs until Close, or a loss without Reconnect.
func (l *link) watch() {
	defer close(l.done)
	t := time.NewTicker(watchEvery)
	defer t.Stop()
	for {
		select {
		case <-l.closed:
			return
		case g := <-l.stopped:
			if g == l.state().gen {
				l.lose("the backend stopped the device")
			}
		case now := <-t.C:
			if cause := l.stalled(now); cause != "" {
				l.lose(cause)
			}
		}
		if l.state().why == nil {
			continue
		}
		if !l.res.Reconnect || !l.reconnect() {
			return
		}
	}
}

// stalled says why the device counts as lost at now, or "".
func (l *link) stalled(now time.Time) string {
	quiet := now.Sub(time.Unix(0, l.last.Load()))
	limit := max(stallAfter, 4*l.lat.Period)
	if !l.flowing.Load() {
		limit = startGrace
	}
	switch {
	case quiet >= limit:
		return fmt.Sprintf("no audio for %.1f s: the server stopped answering", quiet.Seconds())
	case quiet >= suspectAfter && l.state().backend == "pulseaudio":
		err := CurrentServer().reach()
		if errors.Is(err, syscall.EAGAIN) {
			return fmt.Sprintf("the server stopped accepting connections: %v", err)
		}
		if err != nil {
			return fmt.Sprintf("the server is gone: %v", err)
		}
	}
	return ""
}

// lose takes the device out of service: the gate goes to a new generation
// (the Mic's silence), the device closes in the background (it may never
// finish: it is abandoned), and the owner and OnState hear of it.
func (l *link) lose(cause string) {
	silence := l.gens.Add(1)
	l.gate.hand(silence)
	l.mu.Lock()
	s := l.s
	l.s, l.lostAt = nil, time.Now()
	err := fmt.Errorf("%s %q: %s: %s (%s): %w", l.what, l.cur.info.Name, where(l.cur.backend), lossWord(l.cur.backend), cause, ErrDeviceLost)
	l.cur.why = err
	l.mu.Unlock()
	go s.close()
	l.onLost(silence, err)
	l.report(StateChange{State: DeviceLost, Err: err})
}

// where names what a backend's device depends on.
func where(backend string) string {
	switch backend {
	case "pulseaudio":
		return CurrentServer().String()
	case "alsa":
		return "ALSA"
	}
	return "the " + backend + " backend"
}

func lossWord(backend string) string {
	if backend == "pulseaudio" {
		return "connection lost"
	}
	return "device lost"
}

// reconnect reopens the device with backoff; false when Close came first.
func (l *link) reconnect() bool {
	delay := backoffMin
	var last error
	for n := 1; ; n++ {
		l.report(StateChange{State: DeviceReconnecting, Attempt: n, Err: last})
		s, g, err := l.tryOpen()
		if errors.Is(err, ErrClosed) {
			return false
		}
		if err == nil && l.isClosed() { // Close came while the device opened
			go s.close()
			return false
		}
		if err == nil {
			l.install(g, s)
			l.report(StateChange{State: DeviceRestored, Attempt: n})
			return true
		}
		last = err
		select {
		case <-time.After(delay):
		case <-l.closed:
			return false
		}
		delay = min(2*delay, backoffMax)
	}
}

// tryOpen opens the device once, waiting at most openTimeout; an attempt
// that outlives it stays pending and the next call waits for it again.
func (l *link) tryOpen() (*stream, uint64, error) {
	if l.pending == nil {
		a := &attempt{gen: l.gens.Add(1), res: make(chan openResult, 1)}
		req := l.request(a.gen)
		go func() {
			s, err := openAny(context.Background(), req)
			a.res <- openResult{s, err}
		}()
		l.pending = a
	}
	t := time.NewTimer(openTimeout)
	defer t.Stop()
	select {
	case r := <-l.pending.res:
		g := l.pending.gen
		l.pending = nil
		return r.s, g, r.err
	case <-l.closed:
		go discard(l.pending.res)
		return nil, 0, ErrClosed
	case <-t.C:
		return nil, 0, fmt.Errorf("%s did not answer within %v", where(l.req.backend), openTimeout)
	}
}

func (l *link) isClosed() bool {
	select {
	case <-l.closed:
		return true
	default:
		return false
	}
}

// report hands a state change to OnState.
func (l *link) report(c StateChange) {
	if l.res.OnState == nil {
		return
	}
	l.mu.Lock()
	c.Stream, c.Down = l.what, time.Since(l.lostAt)
	l.mu.Unlock()
	if c.State == DeviceLost {
		c.Down = 0
	}
	l.res.OnState(c)
}

// state returns what is known of the device now (the last one, while
// lost).
func (l *link) state() linkState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cur
}

// close stops the watcher, keeps every callback out, and closes the
// device within ctx; a device still closing then is abandoned.
func (l *link) close(ctx context.Context) error {
	l.closeOnce.Do(func() { close(l.closed) })
	select {
	case <-l.done: // prompt, unless OnState blocks
	case <-ctx.Done():
		return fmt.Errorf("close %s: its OnState callback does not return: %w", l.what, ErrCloseTimeout)
	}
	l.gate.hand(l.gens.Add(1))
	l.mu.Lock()
	s := l.s
	l.s = nil
	l.mu.Unlock()
	if s == nil {
		return nil
	}
	return s.closeWithin(ctx, l.what)
}

// bufferDelay estimates the delay the device buffer adds, from the period
// of a callback of frames at rate.
func (l *link) bufferDelay(frames, rate int) time.Duration {
	if frames == 0 || rate == 0 {
		return 0
	}
	return bufferDelay(l.state().backend, time.Duration(frames)*time.Second/time.Duration(rate), l.lat.Periods)
}
