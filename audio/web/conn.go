package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// maxMessage bounds one message from the page (a 20 ms frame is 640 bytes).
const maxMessage = 64 << 10

// pingInterval is how often parley writes to an idle page, so that the page
// can tell a dead link (it reconnects after a few silent seconds).
const pingInterval = time.Second

// conn is one page's WebSocket: a reader (capture frames, reports) and a
// writer draining the outbox (playback chunks, transcript, control).
type conn struct {
	srv    *Server
	ws     *websocket.Conn
	peer   string
	out    *outbox
	cancel context.CancelFunc
	done   chan struct{} // closed when run returns

	mu       sync.Mutex
	pending  map[uint32]*Playback // sent, not yet reported ended
	attached bool                 // its hello was accepted
	closed   bool
	played   uint64    // the page's latest count of samples played
	moved    time.Time // when played last grew while sounds were pending
}

func newConn(srv *Server, ws *websocket.Conn, peer string) *conn {
	return &conn{srv: srv, ws: ws, peer: peer, out: newOutbox(), pending: map[uint32]*Playback{}, done: make(chan struct{})}
}

// run serves the connection until it fails, times out, is replaced or the
// server closes; then it gives back the page's place and drops its sounds.
func (c *conn) run(ctx context.Context) {
	defer close(c.done)
	ctx, c.cancel = context.WithCancel(ctx)
	defer c.cancel()
	go c.writeLoop(ctx)
	err := c.readLoop(ctx)
	c.drop(ErrDisconnected)
	c.srv.detach(c, err)
	_ = c.ws.CloseNow()
}

func (c *conn) readLoop(ctx context.Context) error {
	for {
		rctx, cancel := context.WithTimeout(ctx, c.srv.opts.Timeout)
		typ, data, err := c.ws.Read(rctx)
		cancel()
		if err != nil {
			return err
		}
		if err := c.handle(typ, data); err != nil {
			_ = c.ws.Close(websocket.StatusPolicyViolation, "reload the page: "+err.Error())
			return err
		}
	}
}

func (c *conn) handle(typ websocket.MessageType, data []byte) error {
	if typ == websocket.MessageBinary {
		if !c.isAttached() {
			return nil // frames before the hello are not parley's yet
		}
		samples, err := decodePCM(data)
		if err != nil {
			return err
		}
		c.srv.capture(c, samples)
		return nil
	}
	var m pageMsg
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("message from the page: %w: %w", ErrProtocol, err)
	}
	return c.dispatch(m)
}

func (c *conn) dispatch(m pageMsg) error {
	switch m.Type {
	case "hello":
		if m.Version != protocolVersion {
			return fmt.Errorf("page speaks protocol %d, parley %d: %w", m.Version, protocolVersion, ErrProtocol)
		}
		c.srv.attach(c, m.Stats)
	case "stats":
		c.srv.setStats(c, m.Stats)
	case "started":
		c.started(m.ID)
	case "ended":
		c.ended(m.ID, Output{Samples: m.Samples, RMS: m.RMS})
	case "ptt":
		c.srv.pushToTalk(c, m.Down)
	}
	return nil // unknown types come from newer pages: ignored
}

func (c *conn) writeLoop(ctx context.Context) {
	tick := time.NewTicker(pingInterval)
	defer tick.Stop()
	ping := outMsg{typ: websocket.MessageText, data: mustJSON(serverMsg{Type: "ping"})}
	for {
		var msgs []outMsg
		select {
		case <-c.out.wake:
			msgs = c.out.take()
		case <-tick.C:
			msgs = []outMsg{ping}
		case <-ctx.Done():
			return
		}
		if err := c.write(ctx, msgs); err != nil {
			c.cancel() // the reader ends, and with it the connection
			return
		}
	}
}

func (c *conn) write(ctx context.Context, msgs []outMsg) error {
	for _, m := range msgs {
		wctx, cancel := context.WithTimeout(ctx, c.srv.opts.Timeout)
		err := c.ws.Write(wctx, m.typ, m.data)
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *conn) send(m serverMsg) {
	c.out.push(outMsg{typ: websocket.MessageText, data: mustJSON(m)})
}

// mustJSON encodes messages made only of strings and numbers, which cannot
// fail to encode.
func mustJSON(m serverMsg) []byte {
	b, _ := json.Marshal(m)
	return b
}

func (c *conn) isAttached() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.attached
}

// play sends a sound; false when the connection has already ended.
func (c *conn) play(pb *Playback, msgs []outMsg) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	if len(c.pending) == 0 {
		c.moved = time.Now() // the page had nothing to play until now
	}
	c.pending[pb.id] = pb
	c.out.push(msgs...)
	return true
}

// flush drops every sound sent or queued and tells the page to do the same.
func (c *conn) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.finishAll(ErrFlushed)
	c.out.dropAudio()
	c.send(serverMsg{Type: "flush"})
}

// drop ends the connection's sounds as not played; later plays fail.
func (c *conn) drop(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.finishAll(err)
}

func (c *conn) finishAll(err error) {
	for id, pb := range c.pending {
		pb.finish(err, Output{})
		delete(c.pending, id)
	}
}

// progress takes the page's count of samples played; sounds pending while
// it stood still for limit are dropped as stalled, so that Wait never hangs
// on a page that is connected but no longer plays.
func (c *conn) progress(played uint64, now time.Time, limit time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if played != c.played || len(c.pending) == 0 {
		c.played, c.moved = played, now
		return
	}
	if now.Sub(c.moved) > limit {
		c.finishAll(ErrStalled)
	}
}

func (c *conn) playing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending) > 0
}

func (c *conn) started(id uint32) {
	c.mu.Lock()
	pb := c.pending[id]
	c.mu.Unlock()
	if pb != nil {
		pb.markStarted(time.Now())
	}
}

func (c *conn) ended(id uint32, out Output) {
	c.mu.Lock()
	pb := c.pending[id]
	delete(c.pending, id)
	c.mu.Unlock()
	if pb != nil {
		pb.markStarted(time.Now()) // a report lost in a reload cannot leave Started unset
		pb.finish(nil, out)
	}
}

// closeWith ends the connection with a close code the page shows, without
// waiting for the page's answer.
func (c *conn) closeWith(code websocket.StatusCode, reason string) {
	go func() {
		_ = c.ws.Close(code, reason)
		c.cancel()
	}()
}

// disconnectReason says in words why a connection ended.
func disconnectReason(err error, timeout time.Duration) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("nothing heard from the page for %s", timeout)
	case websocket.CloseStatus(err) == websocket.StatusGoingAway, websocket.CloseStatus(err) == websocket.StatusNormalClosure:
		return "page closed or reloaded"
	case errors.Is(err, ErrProtocol):
		return err.Error()
	default:
		return "connection lost"
	}
}
