package web

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// wait is the bound on anything a test waits for: generous, because the
// machine is shared and slow under load; never a timing assertion.
const wait = 30 * time.Second

// states records OnState calls.
type states struct {
	mu   sync.Mutex
	list []State
	ch   chan State
}

func newStates() *states { return &states{ch: make(chan State, 64)} }

func (s *states) record(st State) {
	s.mu.Lock()
	s.list = append(s.list, st)
	s.mu.Unlock()
	s.ch <- st
}

// next waits for the next state change.
func (s *states) next(t testing.TB) State {
	t.Helper()
	select {
	case st := <-s.ch:
		return st
	case <-time.After(wait):
		t.Fatal("no state change")
		return State{}
	}
}

// startServer listens on a free loopback port and closes at the test's end.
func startServer(t testing.TB, opts Options) *Server {
	t.Helper()
	opts.Addr = "127.0.0.1:0"
	s, err := Listen(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// wsURL is the server's WebSocket address with the given query.
func wsURL(s *Server, query string) string {
	return "ws://" + s.Addr().String() + "/ws" + query
}

// dial opens a WebSocket as a page would, with extra headers.
func dial(t testing.TB, url string, hdr http.Header) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	return websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: hdr})
}

// fakePage is a Go client speaking the page's protocol.
type fakePage struct {
	t  *testing.T
	ws *websocket.Conn
}

// connectPage dials with the right token and says hello; it returns after
// parley's welcome.
func connectPage(t *testing.T, s *Server) (*fakePage, serverMsg) {
	t.Helper()
	ws, _, err := dial(t, wsURL(s, "?token="+s.token), nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	ws.SetReadLimit(1 << 20)
	p := &fakePage{t: t, ws: ws}
	t.Cleanup(func() { _ = ws.CloseNow() })
	p.sendJSON(pageMsg{Type: "hello", Version: protocolVersion, Stats: &PageStats{Rate: 16000, Context: "running"}})
	welcome := p.nextText()
	if welcome.Type != "welcome" {
		t.Fatalf("first message %+v, want welcome", welcome)
	}
	return p, welcome
}

func (p *fakePage) sendJSON(m pageMsg) {
	p.t.Helper()
	b, _ := json.Marshal(m)
	if err := p.ws.Write(p.t.Context(), websocket.MessageText, b); err != nil {
		p.t.Fatalf("write: %v", err)
	}
}

func (p *fakePage) sendPCM(samples []int16) {
	p.t.Helper()
	b := make([]byte, 2*len(samples))
	for i, v := range samples {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	if err := p.ws.Write(p.t.Context(), websocket.MessageBinary, b); err != nil {
		p.t.Fatalf("write: %v", err)
	}
}

// next reads one message, skipping pings.
func (p *fakePage) next() (websocket.MessageType, []byte, error) {
	ctx, cancel := context.WithTimeout(p.t.Context(), wait)
	defer cancel()
	for {
		typ, data, err := p.ws.Read(ctx)
		if err != nil || typ == websocket.MessageBinary || !strings.Contains(string(data), `"ping"`) {
			return typ, data, err
		}
	}
}

func (p *fakePage) nextText() serverMsg {
	p.t.Helper()
	typ, data, err := p.next()
	if err != nil {
		p.t.Fatalf("read: %v", err)
	}
	if typ != websocket.MessageText {
		p.t.Fatalf("got a binary message, want text")
	}
	var m serverMsg
	if err := json.Unmarshal(data, &m); err != nil {
		p.t.Fatal(err)
	}
	return m
}

// chunk is one decoded playback chunk.
type chunk struct {
	id, rate, flags uint32
	pcm             []int16
}

func (p *fakePage) nextChunk() chunk {
	p.t.Helper()
	typ, data, err := p.next()
	if err != nil {
		p.t.Fatalf("read: %v", err)
	}
	if typ != websocket.MessageBinary || len(data) < chunkHeader {
		p.t.Fatalf("got %q, want a playback chunk", data)
	}
	c := chunk{
		id:    binary.LittleEndian.Uint32(data[0:]),
		rate:  binary.LittleEndian.Uint32(data[4:]),
		flags: binary.LittleEndian.Uint32(data[8:]),
	}
	for i := chunkHeader; i+1 < len(data); i += 2 {
		c.pcm = append(c.pcm, int16(binary.LittleEndian.Uint16(data[i:])))
	}
	return c
}

// readN reads exactly n samples from the Mic.
func readN(t testing.TB, m *Mic, n int) []float32 {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	out := make([]float32, 0, n)
	buf := make([]float32, n)
	for len(out) < n {
		k, err := m.Read(ctx, buf[:n-len(out)])
		if err != nil {
			t.Fatalf("read after %d samples: %v", len(out), err)
		}
		out = append(out, buf[:k]...)
	}
	return out
}
