package web

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func get(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

func TestPageNeedsItsToken(t *testing.T) {
	s := startServer(t, Options{})
	base := "http://" + s.Addr().String()
	cases := []struct {
		name, url string
		want      int
	}{
		{"no token", base + "/", http.StatusForbidden},
		{"wrong token", base + "/?token=nope", http.StatusForbidden},
		{"printed URL", s.URL(), http.StatusOK},
		{"other path", base + "/secret?token=" + s.token, http.StatusNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body, hdr := get(t, tc.url)
			if code != tc.want {
				t.Fatalf("GET %s: %d %q, want %d", tc.url, code, body, tc.want)
			}
			if code == http.StatusOK && !strings.Contains(body, "/assets/app.js") {
				t.Errorf("page lacks its script: %q", body)
			}
			if hdr.Get("Cache-Control") != "no-store" || hdr.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("headers %v: the token could leak through caches or Referer", hdr)
			}
		})
	}
}

func TestURLCarriesARandomToken(t *testing.T) {
	a, b := startServer(t, Options{}), startServer(t, Options{})
	if a.token == b.token || len(a.token) < 20 {
		t.Fatalf("tokens %q and %q: want long and different per run", a.token, b.token)
	}
	if !strings.HasPrefix(a.URL(), "http://127.0.0.1:") || !strings.HasSuffix(a.URL(), "/?token="+a.token) {
		t.Errorf("URL %q", a.URL())
	}
}

func TestAssetsAreEmbedded(t *testing.T) {
	s := startServer(t, Options{})
	for _, name := range []string{"app.js", "worklet.js", "style.css"} {
		code, body, _ := get(t, "http://"+s.Addr().String()+"/assets/"+name)
		if code != http.StatusOK || len(body) < 100 {
			t.Errorf("%s: %d, %d bytes", name, code, len(body))
		}
	}
}

func TestWebSocketRefusals(t *testing.T) {
	s := startServer(t, Options{})
	own := "http://" + s.Addr().String()
	cases := []struct {
		name, query, origin string
		ok                  bool
		token, originCount  uint64
	}{
		{"no token", "", own, false, 1, 0},
		{"wrong token", "?token=guess", own, false, 2, 0},
		{"foreign origin", "?token=" + s.token, "http://evil.example:8765", false, 2, 1},
		{"origin on another port", "?token=" + s.token, "http://127.0.0.1:1", false, 2, 2},
		{"own origin", "?token=" + s.token, own, true, 2, 2},
		{"no origin (not a browser)", "?token=" + s.token, "", true, 2, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hdr := http.Header{}
			if tc.origin != "" {
				hdr.Set("Origin", tc.origin)
			}
			ws, resp, err := dial(t, wsURL(s, tc.query), hdr)
			if tc.ok != (err == nil) {
				t.Fatalf("dial: %v, want ok=%v", err, tc.ok)
			}
			if err == nil {
				_ = ws.CloseNow()
			} else if resp == nil || resp.StatusCode != http.StatusForbidden {
				t.Fatalf("refusal %v, want 403", resp)
			}
			if got := s.Refused(); got.Token != tc.token || got.Origin != tc.originCount {
				t.Errorf("refusals %+v, want token %d origin %d", got, tc.token, tc.originCount)
			}
		})
	}
}

func TestHelloFromAnotherVersionIsRefused(t *testing.T) {
	s := startServer(t, Options{})
	ws, _, err := dial(t, wsURL(s, "?token="+s.token), nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &fakePage{t: t, ws: ws}
	p.sendJSON(pageMsg{Type: "hello", Version: protocolVersion + 1})
	_, _, err = p.next()
	if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
		t.Fatalf("read: %v, want a policy-violation close", err)
	}
	var ce websocket.CloseError
	if !errors.As(err, &ce) || !strings.Contains(ce.Reason, "reload the page") {
		t.Errorf("close reason %q should tell the user to reload", ce.Reason)
	}
	if s.State().Connected {
		t.Error("a page of another version counts as connected")
	}
}

func TestOptionsAreChecked(t *testing.T) {
	cases := map[string]Options{
		"jitter":  {Jitter: 3 * time.Second},
		"timeout": {Timeout: time.Millisecond},
		"buffer":  {Buffer: -time.Second},
	}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			opts.Addr = "127.0.0.1:0"
			_, err := Listen(t.Context(), opts)
			if !errors.Is(err, ErrInvalidOptions) || !strings.Contains(err.Error(), name) {
				t.Fatalf("err %v, want ErrInvalidOptions naming %s", err, name)
			}
		})
	}
}

func TestBusyAddressIsNamed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = Listen(t.Context(), Options{Addr: ln.Addr().String()})
	if err == nil || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Fatalf("err %v, want one naming %s", err, ln.Addr())
	}
}

func TestCloseTellsThePageAndClosesBothSides(t *testing.T) {
	st := newStates()
	s := startServer(t, Options{OnState: st.record})
	p, _ := connectPage(t, s)
	st.next(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := st.next(t); got.Connected || got.Message != "browser disconnected (parley stopped)" {
		t.Errorf("state %+v", got)
	}
	_, _, err := p.next()
	if websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Errorf("page got %v, want going-away (parley stopped)", err)
	}
	if _, err := s.Mic().Read(context.Background(), make([]float32, 10)); !errors.Is(err, ErrClosed) {
		t.Errorf("Mic.Read after Close: %v", err)
	}
	if _, err := s.Speaker().Play(context.Background(), []float32{0.1}, 16000); !errors.Is(err, ErrClosed) {
		t.Errorf("Play after Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
