package llm_test

import (
	"context"
	"net/http"
	"runtime"
	"testing"
	"time"

	"parley/pipeline/llm"
)

// TestOpenAINoGoroutineLeak closes replies early, late and mid-wait, and
// checks that every reader goroutine is gone afterwards.
func TestOpenAINoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	srv := newFakeLLM(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n%2 == 0 {
			stall("a ", "b ")(w, r, n)
			return
		}
		stream("done")(w, r, n)
	})
	transport := &http.Transport{}
	c := newClient(t, srv.baseURL(), func(o *llm.OpenAIOptions) { o.HTTPClient = &http.Client{Transport: transport} })
	for range 10 {
		r, err := c.Respond(context.Background(), userSays("hi"))
		if err != nil {
			t.Fatal(err)
		}
		r.Next(context.Background())
		r.Close()
	}
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := c.Respond(ctx, userSays("hi")); err != nil {
		t.Fatal(err)
	}
	cancel() // a reply never closed, but its ctx ends
	srv.Close()
	transport.CloseIdleConnections()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}
