package llm_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/pipeline/llm"
)

// changes records a Fallback's OnChange calls.
type changes struct {
	mu  sync.Mutex
	got []string
	c   chan string
}

func newChanges() *changes { return &changes{c: make(chan string, 16)} }

func (c *changes) record(online bool, reason string) {
	s := "offline: " + reason
	if online {
		s = "online: " + reason
	}
	c.mu.Lock()
	c.got = append(c.got, s)
	c.mu.Unlock()
	c.c <- s
}

// wait returns the next change, failing after a second.
func (c *changes) wait(t *testing.T) string {
	t.Helper()
	select {
	case s := <-c.c:
		return s
	case <-time.After(time.Second):
		t.Fatal("no OnChange call within a second")
		return ""
	}
}

func TestFallbackAnswersOfflineWhenRefused(t *testing.T) {
	url := closedURL(t)
	offline := llm.NewOffline(llm.OfflineOptions{Clock: fixedClock})
	ch := newChanges()
	f := llm.NewFallback(newClient(t, url, nil), offline, llm.FallbackOptions{OnChange: ch.record})
	if !f.Online() || f.Name() != "test-model" {
		t.Fatalf("starts online %v as %q", f.Online(), f.Name())
	}
	if got := readReply(t, f, userSays("what time is it")); got != "It's 3:09 PM." {
		t.Errorf("got %q, want the offline answer", got)
	}
	if f.Online() || f.Name() != "offline" {
		t.Errorf("online %v as %q after a refused connection", f.Online(), f.Name())
	}
	if s := ch.wait(t); !strings.HasPrefix(s, "offline: ") || !strings.Contains(s, url) {
		t.Errorf("change %q, want offline naming %s", s, url)
	}
	if _, reason := f.Status(); !strings.Contains(reason, "test-model") {
		t.Errorf("reason %q does not name the model", reason)
	}
	// Later turns go straight to the offline responder, without a new change.
	readReply(t, f, userSays("hello"))
	if len(ch.c) != 0 {
		t.Errorf("extra change %q", <-ch.c)
	}
}

func TestFallbackPassesOtherErrors(t *testing.T) {
	srv := newFakeLLM(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		status(w, http.StatusBadRequest, nil)
	})
	f := llm.NewFallback(newClient(t, srv.baseURL(), nil), llm.NewOffline(llm.OfflineOptions{}), llm.FallbackOptions{})
	if _, err := f.Respond(context.Background(), userSays("hi")); !errors.Is(err, llm.ErrServer) {
		t.Errorf("err = %v, want the server's error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Respond(ctx, userSays("hi")); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if !f.Online() {
		t.Error("went offline on an error that does not mean the server is gone")
	}
}

func TestFallbackTimeoutGoesOffline(t *testing.T) {
	srv := newFakeLLM(t, stall())
	c := newClient(t, srv.baseURL(), func(o *llm.OpenAIOptions) { o.Timeout = 50 * time.Millisecond })
	f := llm.NewFallback(c, llm.NewOffline(llm.OfflineOptions{Clock: fixedClock}), llm.FallbackOptions{})
	if got := readReply(t, f, userSays("thanks")); got != "You're welcome." || f.Online() {
		t.Errorf("got %q, online %v; want the offline answer", got, f.Online())
	}
}

func TestFallbackLostMidReply(t *testing.T) {
	srv := newFakeLLM(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		streamHeader(w)
		sendEvent(w, chunk("Half "))
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	})
	f := llm.NewFallback(newClient(t, srv.baseURL(), nil), llm.NewOffline(llm.OfflineOptions{}), llm.FallbackOptions{})
	r, err := f.Respond(context.Background(), userSays("hi"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := llm.ReadAll(context.Background(), r); !errors.Is(err, llm.ErrUnreachable) {
		t.Errorf("err = %v, want ErrUnreachable", err)
	}
	if f.Online() {
		t.Error("still online after the server went away mid-reply")
	}
}

func TestFallbackWatchFindsServerAgain(t *testing.T) {
	url := closedURL(t)
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/v1")
	ch := newChanges()
	f := llm.NewFallback(newClient(t, url, nil), llm.NewOffline(llm.OfflineOptions{}),
		llm.FallbackOptions{CheckInterval: 10 * time.Millisecond, OnChange: ch.record})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- f.Watch(ctx) }()
	defer func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Watch returned %v, want context.Canceled", err)
		}
	}()

	if s := ch.wait(t); !strings.HasPrefix(s, "offline") {
		t.Fatalf("first change %q, want offline", s)
	}
	srv := startAt(t, addr, stream("Back online."))
	if s := ch.wait(t); !strings.HasPrefix(s, "online") {
		t.Fatalf("change %q, want online", s)
	}
	if got := readReply(t, f, userSays("hi")); got != "Back online." {
		t.Errorf("got %q from the server found again", got)
	}
	srv.Close()
	if s := ch.wait(t); !strings.HasPrefix(s, "offline") {
		t.Fatalf("change %q after the server stopped, want offline", s)
	}
	if got := readReply(t, f, userSays("thanks")); got != "You're welcome." {
		t.Errorf("got %q, want the offline answer", got)
	}
	startAt(t, addr, stream("Again."))
	if s := ch.wait(t); !strings.HasPrefix(s, "online") {
		t.Fatalf("change %q, want online again", s)
	}
}

// startAt starts a fake server on addr.
func startAt(t *testing.T, addr string, answer func(w http.ResponseWriter, r *http.Request, n int)) *fakeLLM {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on %s again: %v", addr, err)
	}
	f := &fakeLLM{answer: answer}
	f.Server = &httptest.Server{Listener: l, Config: &http.Server{Handler: f.mux()}}
	f.Start()
	t.Cleanup(f.Close)
	return f
}

func TestFallbackWatchCustomProbe(t *testing.T) {
	var mu sync.Mutex
	probeErr := errors.New("down")
	ch := newChanges()
	f := llm.NewFallback(stubResponder{}, llm.NewOffline(llm.OfflineOptions{}), llm.FallbackOptions{
		CheckInterval: 5 * time.Millisecond,
		Probe: func(context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			return probeErr
		},
		OnChange: ch.record,
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go f.Watch(ctx)
	if s := ch.wait(t); s != "offline: down" {
		t.Errorf("change %q", s)
	}
	mu.Lock()
	probeErr = nil
	mu.Unlock()
	if s := ch.wait(t); s != "online: server answered" {
		t.Errorf("change %q", s)
	}
}

func TestFallbackWatchNeedsProbe(t *testing.T) {
	f := llm.NewFallback(stubResponder{}, llm.NewOffline(llm.OfflineOptions{}), llm.FallbackOptions{})
	if err := f.Watch(context.Background()); !errors.Is(err, llm.ErrNoProbe) {
		t.Errorf("err = %v, want ErrNoProbe", err)
	}
}

// stubResponder is a primary that cannot probe.
type stubResponder struct{}

func (stubResponder) Name() string { return "stub" }

func (stubResponder) Respond(context.Context, []llm.Message) (llm.Reply, error) {
	return nil, llm.ErrUnreachable
}
