package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// chatServer is an OpenAI-protocol chat-completions server on 127.0.0.1
// that streams canned replies with a fixed first-token delay: the first
// reply answers the conversation's first question, the second its second,
// and so on (the last repeats). It counts the user's turns in the request,
// not the requests, because parley may ask more than once for one turn
// (a speculative answer started at a pause, then dropped or restarted).
type chatServer struct {
	srv        *httptest.Server
	firstToken time.Duration
	perToken   time.Duration
	mu         sync.Mutex
	replies    []string
	asked      []chatRequest
}

// chatRequest is what the server keeps of a request.
type chatRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
}

func newChatServer(t *testing.T, firstToken, perToken time.Duration, replies ...string) *chatServer {
	t.Helper()
	c := &chatServer{firstToken: firstToken, perToken: perToken, replies: replies}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/models", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"object":"list","data":[{"id":"test-model","object":"model"},{"id":"test-model-large","object":"model"}]}`)
	})
	mux.HandleFunc("/v1/chat/completions", c.complete)
	c.srv = httptest.NewServer(mux)
	t.Cleanup(c.srv.Close)
	return c
}

// URL is the base URL for llm.base_url.
func (c *chatServer) URL() string { return c.srv.URL + "/v1" }

// reply returns the canned reply for req's turn: the one of its count of
// user messages (the last repeats).
func (c *chatServer) reply(req chatRequest) string {
	turns := 0
	for _, m := range req.Messages {
		if m.Role == "user" {
			turns++
		}
	}
	return c.replies[min(max(turns-1, 0), len(c.replies)-1)]
}

// received returns the requests so far.
func (c *chatServer) received() []chatRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]chatRequest(nil), c.asked...)
}

func (c *chatServer) complete(w http.ResponseWriter, r *http.Request) {
	var req chatRequest
	_ = json.NewDecoder(r.Body).Decode(&req)
	c.mu.Lock()
	c.asked = append(c.asked, req)
	c.mu.Unlock()
	reply := c.reply(req)
	w.Header().Set("Content-Type", "text/event-stream")
	flusher, _ := w.(http.Flusher)
	time.Sleep(c.firstToken)
	for i, word := range strings.SplitAfter(reply, " ") {
		if i > 0 {
			time.Sleep(c.perToken)
		}
		chunk, _ := json.Marshal(map[string]any{
			"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "test-model",
			"choices": []map[string]any{{"index": 0, "delta": map[string]any{"content": word}}},
		})
		if _, err := fmt.Fprintf(w, "data: %s\n\n", chunk); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
		if r.Context().Err() != nil {
			return
		}
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}
