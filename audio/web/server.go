package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// DefaultAddr is where the page is served unless Options.Addr says
// otherwise: loopback only, reached from a laptop through an SSH tunnel.
const DefaultAddr = "127.0.0.1:8765"

// DefaultJitter is the page's jitter buffer target. Why 100 ms: parley sends
// each sound as fast as the link takes it, so the buffer holds the whole
// sound within a round trip on a good link and the target is reached almost
// at once; it only waits where the link is slow, and there 100 ms of audio
// ahead rides out TCP retransmissions and bursts without an audible gap.
const DefaultJitter = 100 * time.Millisecond

// DefaultTimeout is how long the page may stay silent (no frame, no report)
// before parley counts it as gone. The page sends a frame every 20 ms and a
// report every 500 ms, so 5 s is only reached when the page or the link died
// without closing (a laptop put to sleep, an SSH tunnel cut).
const DefaultTimeout = 5 * time.Second

// Options configure a Server.
type Options struct {
	// Addr is the host:port to listen on (default DefaultAddr; port 0 picks
	// a free one). A host other than a loopback address exposes the page to
	// the network; the token still guards it.
	Addr string
	// Token is the secret the page's URL carries; "" makes a random one.
	Token string
	// Jitter is the page's jitter buffer target (default DefaultJitter; 0 to 2 s).
	Jitter time.Duration
	// Timeout is how long a silent page stays connected, and how long a
	// connected page may play nothing while sounds wait before they are
	// dropped (default DefaultTimeout; 1 s to 1 min).
	Timeout time.Duration
	// Buffer is the Mic's capacity (default DefaultBuffer; 100 ms to 1 min).
	Buffer time.Duration
	// OnState, when set, is called with each change of connection state, in
	// order, from the server's goroutines: it must return quickly.
	OnState func(State)
	// OnPushToTalk, when set, is called when the page's push-to-talk button
	// is pressed (true) and released (false); same rules as OnState.
	OnPushToTalk func(talking bool)
}

// State is the connection state the app shows.
type State struct {
	// Connected is true while a page is connected and its audio runs.
	Connected bool
	// Peer is the connected page's address (through an SSH tunnel, the
	// tunnel's end on this machine).
	Peer string
	// Message says it in words: "browser connected from …" or
	// "browser disconnected (…); waiting for the page to reconnect".
	Message string
}

// Refusals counts WebSocket connections refused, by reason.
type Refusals struct {
	// Token counts connections with a missing or wrong token (for example a
	// page left open from an earlier run of parley).
	Token uint64
	// Origin counts connections from a page of another site.
	Origin uint64
}

// Server serves the audio page and its WebSocket, and owns the Mic and the
// Speaker that stand for the page in parley.
type Server struct {
	opts    Options
	token   string
	ln      net.Listener
	http    *http.Server
	mic     *Mic
	speaker *Speaker
	ctx     context.Context // cancelled by Close
	cancel  context.CancelFunc
	wg      sync.WaitGroup // connection handlers

	refusedToken, refusedOrigin atomic.Uint64
	page                        atomic.Pointer[PageStats]

	mu      sync.Mutex
	active  *conn
	history []event
	closed  bool

	notifyMu sync.Mutex // serialises OnState calls
	stateMu  sync.Mutex // guards state only, so OnState may call State
	state    State
	once     sync.Once
}

// Listen starts serving the page on opts.Addr. Errors name the address.
func Listen(ctx context.Context, opts Options) (*Server, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("web audio: listen on %s: %w", opts.Addr, err)
	}
	s := &Server{opts: opts, token: opts.Token, ln: ln, mic: newMic(opts.Buffer)}
	if s.token == "" {
		s.token = rand.Text()
	}
	s.speaker = &Speaker{srv: s}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.state = State{Message: "waiting for the browser page: open " + s.URL()}
	s.http = &http.Server{
		Handler:           s.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // nothing may print into the TUI
	}
	go func() { _ = s.http.Serve(ln) }()
	return s, nil
}

func (o Options) withDefaults() (Options, error) {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	o.Jitter = orDefault(o.Jitter, DefaultJitter)
	o.Timeout = orDefault(o.Timeout, DefaultTimeout)
	o.Buffer = orDefault(o.Buffer, DefaultBuffer)
	return o, errors.Join(
		within("jitter", o.Jitter, 0, 2*time.Second),
		within("timeout", o.Timeout, time.Second, time.Minute),
		within("buffer", o.Buffer, 100*time.Millisecond, time.Minute),
	)
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func within(name string, d, lo, hi time.Duration) error {
	if d < lo || d > hi {
		return fmt.Errorf("web audio %s %s: %w: allowed %s to %s", name, d, ErrInvalidOptions, lo, hi)
	}
	return nil
}

// URL returns the page's address with its token, to print on start. A
// server listening on every interface is named by 127.0.0.1.
func (s *Server) URL() string {
	host, port, _ := net.SplitHostPort(s.ln.Addr().String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/?token=" + url.QueryEscape(s.token)
}

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Mic returns the page's microphone as a capture source.
func (s *Server) Mic() *Mic { return s.mic }

// Speaker returns the page's speaker.
func (s *Server) Speaker() *Speaker { return s.speaker }

// State returns the current connection state.
func (s *Server) State() State {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	return s.state
}

// PageStats returns what the connected (or last) page reported about its
// audio, and whether any page has reported yet.
func (s *Server) PageStats() (PageStats, bool) {
	p := s.page.Load()
	if p == nil {
		return PageStats{}, false
	}
	return *p, true
}

// Refused returns how many WebSocket connections were refused, by reason.
func (s *Server) Refused() Refusals {
	return Refusals{Token: s.refusedToken.Load(), Origin: s.refusedOrigin.Load()}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.servePage)
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(assets())))
	mux.HandleFunc("GET /ws", s.serveWS)
	return secureHeaders(mux)
}

// secureHeaders keeps the token out of caches and Referer headers and
// allows only the page's own scripts and socket.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws://"+r.Host+"; img-src 'self' data:")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	if !s.tokenOK(r) {
		http.Error(w, "parley: this page needs the address parley printed when it started (with its token)", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(indexHTML())
}

func (s *Server) tokenOK(r *http.Request) bool {
	got := r.URL.Query().Get("token")
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) == 1
}

// originOK accepts a request without Origin (not a browser; it still needs
// the token) or from the page's own origin.
func originOK(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	switch {
	case !originOK(r):
		s.refusedOrigin.Add(1)
		http.Error(w, "parley: WebSocket from another site refused", http.StatusForbidden)
		return
	case !s.tokenOK(r):
		s.refusedToken.Add(1)
		http.Error(w, "parley: missing or wrong token; open the address parley printed", http.StatusForbidden)
		return
	}
	if !s.enter() {
		http.Error(w, "parley is stopping", http.StatusServiceUnavailable)
		return
	}
	defer s.wg.Done()
	ws, err := websocket.Accept(w, r, nil) // checks the Origin again
	if err != nil {
		return
	}
	ws.SetReadLimit(maxMessage)
	newConn(s, ws, r.RemoteAddr).run(s.ctx)
}

// enter registers a connection handler unless the server is closing.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

// Close stops serving: the page is told that parley stopped, its sounds end
// as dropped, and Mic and Speaker are closed. Closing twice is harmless.
func (s *Server) Close() error {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		c := s.active
		s.mu.Unlock()
		if c != nil {
			c.closeWith(closeStopped, "parley stopped")
			s.waitGone(c, time.Second)
		}
		s.cancel()
		_ = s.http.Close()
		s.wg.Wait()
		_ = s.mic.Close()
		_ = s.speaker.Close()
	})
	return nil
}

// waitGone waits (at most d) for a connection's handler to end, so that the
// page gets parley's close message before the socket is cut.
func (s *Server) waitGone(c *conn, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-c.done:
	case <-t.C:
	}
}
