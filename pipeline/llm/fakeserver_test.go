package llm_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"parley/pipeline/llm"
)

// chatRequest is what the fake server decodes from a request.
type chatRequest struct {
	Model    string `json:"model"`
	Stream   bool   `json:"stream"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	Temperature *float64 `json:"temperature"`
	MaxTokens   *int     `json:"max_tokens"`
	auth        string
}

// fakeLLM is an OpenAI-compatible server on 127.0.0.1. answer serves the
// n-th (0-based) chat request.
type fakeLLM struct {
	*httptest.Server
	answer func(w http.ResponseWriter, r *http.Request, n int)

	mu       sync.Mutex
	requests []chatRequest
}

func newFakeLLM(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, n int)) *fakeLLM {
	t.Helper()
	f := &fakeLLM{answer: answer}
	f.Server = httptest.NewServer(f.mux())
	t.Cleanup(f.Close)
	return f
}

func (f *fakeLLM) mux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", f.chat)
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"object":"list","data":[{"id":"test-model","object":"model","created":1,"owned_by":"me"}]}`)
	})
	return mux
}

func (f *fakeLLM) chat(w http.ResponseWriter, r *http.Request) {
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req.auth = r.Header.Get("Authorization")
	f.mu.Lock()
	n := len(f.requests)
	f.requests = append(f.requests, req)
	f.mu.Unlock()
	f.answer(w, r, n)
}

func (f *fakeLLM) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

func (f *fakeLLM) request(n int) chatRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[n]
}

func (f *fakeLLM) baseURL() string { return f.URL + "/v1" }

// streamHeader starts an SSE response.
func streamHeader(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
}

// sendEvent writes one SSE data line and flushes it.
func sendEvent(w http.ResponseWriter, data string) {
	fmt.Fprintf(w, "data: %s\n\n", data)
	w.(http.Flusher).Flush()
}

// chunk is a chat.completion.chunk carrying content.
func chunk(content string) string {
	b, _ := json.Marshal(map[string]any{
		"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "test-model",
		"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": content}, "finish_reason": nil}},
	})
	return string(b)
}

// stream answers with the deltas, framed as servers do: a role-only chunk
// first, a finish chunk last, then [DONE].
func stream(deltas ...string) func(w http.ResponseWriter, r *http.Request, n int) {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		streamHeader(w)
		sendEvent(w, `{"id":"c1","object":"chat.completion.chunk","created":1,"model":"test-model","choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}`)
		for _, d := range deltas {
			sendEvent(w, chunk(d))
		}
		sendEvent(w, `{"id":"c1","object":"chat.completion.chunk","created":1,"model":"test-model","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`)
		sendEvent(w, "[DONE]")
	}
}

// status answers with an HTTP error in OpenAI's error shape.
func status(w http.ResponseWriter, code int, header map[string]string) {
	for k, v := range header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"error":{"message":"status %d","type":"server_error","code":null,"param":null}}`, code)
}

// closedURL returns the base URL of a port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/v1"
}

// newClient returns a client for baseURL with test-friendly timing.
func newClient(t *testing.T, baseURL string, mod func(*llm.OpenAIOptions)) *llm.OpenAI {
	t.Helper()
	opts := llm.OpenAIOptions{
		BaseURL: baseURL, Model: "test-model", SystemPrompt: "Be brief.",
		Temperature: 0.5, MaxTokens: 64, Timeout: 2 * time.Second, Retries: 2,
	}
	if mod != nil {
		mod(&opts)
	}
	c, err := llm.NewOpenAI(opts)
	if err != nil {
		t.Fatalf("NewOpenAI: %v", err)
	}
	llm.SetRetryWait(c, time.Millisecond, nil)
	return c
}

func userSays(text string) []llm.Message {
	return []llm.Message{{Role: llm.RoleUser, Content: text}}
}
