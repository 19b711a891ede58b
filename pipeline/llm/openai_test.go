package llm_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/pipeline/llm"
)

func TestOpenAIStreams(t *testing.T) {
	srv := newFakeLLM(t, stream("Hello", ", ", "world", "."))
	c := newClient(t, srv.baseURL(), func(o *llm.OpenAIOptions) { o.APIKey = "sk-test" })
	r, err := c.Respond(context.Background(), userSays("hi"))
	if err != nil {
		t.Fatalf("Respond: %v", err)
	}
	if got := strings.Join(readPieces(t, r), "|"); got != "Hello|, |world|." {
		t.Errorf("pieces %q", got)
	}
	if _, err := r.Next(context.Background()); !errors.Is(err, io.EOF) {
		t.Errorf("Next after the end: %v, want io.EOF", err)
	}
	r.Close()
	if _, err := r.Next(context.Background()); !errors.Is(err, llm.ErrReplyClosed) {
		t.Errorf("Next after Close: %v, want ErrReplyClosed", err)
	}
	checkRequest(t, srv.request(0))
}

func checkRequest(t *testing.T, req chatRequest) {
	t.Helper()
	if req.Model != "test-model" || !req.Stream || req.auth != "Bearer sk-test" {
		t.Errorf("model %q stream %v auth %q", req.Model, req.Stream, req.auth)
	}
	if req.Temperature == nil || *req.Temperature != 0.5 || req.MaxTokens == nil || *req.MaxTokens != 64 {
		t.Errorf("temperature %v max_tokens %v", req.Temperature, req.MaxTokens)
	}
	if len(req.Messages) != 2 || req.Messages[0].Role != "system" || req.Messages[0].Content != "Be brief." ||
		req.Messages[1].Role != "user" || req.Messages[1].Content != "hi" {
		t.Errorf("messages %+v", req.Messages)
	}
}

func TestOpenAINoKeyNoTemperature(t *testing.T) {
	srv := newFakeLLM(t, stream("ok"))
	c := newClient(t, srv.baseURL(), func(o *llm.OpenAIOptions) { o.Temperature = -1; o.MaxTokens = 0 })
	if got := readReply(t, c, userSays("hi")); got != "ok" {
		t.Errorf("got %q", got)
	}
	req := srv.request(0)
	if req.auth != "" || req.Temperature != nil || req.MaxTokens != nil {
		t.Errorf("auth %q temperature %v max_tokens %v, want none sent", req.auth, req.Temperature, req.MaxTokens)
	}
}

// readReply reads c's whole reply to history; any error fails the test.
func readReply(t *testing.T, c llm.Responder, history []llm.Message) string {
	t.Helper()
	text, err := readReplyErr(t, c, history)
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	return text
}

// readReplyErr reads c's whole reply to history and returns the text with
// the error that ended it; only a failed Respond fails the test.
func readReplyErr(t *testing.T, c llm.Responder, history []llm.Message) (string, error) {
	t.Helper()
	r, err := c.Respond(context.Background(), history)
	if err != nil {
		t.Fatalf("Respond: %v", err)
	}
	return llm.ReadAll(context.Background(), r)
}

// readPieces reads r's pieces up to io.EOF; any other error fails the test.
func readPieces(t *testing.T, r llm.Reply) []string {
	t.Helper()
	var pieces []string
	for {
		p, err := r.Next(context.Background())
		if errors.Is(err, io.EOF) {
			return pieces
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		pieces = append(pieces, p)
	}
}

func TestOpenAIEmptyReply(t *testing.T) {
	srv := newFakeLLM(t, stream())
	if got := readReply(t, newClient(t, srv.baseURL(), nil), userSays("hi")); got != "" {
		t.Errorf("got %q", got)
	}
}

func TestOpenAIErrorMidStream(t *testing.T) {
	srv := newFakeLLM(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		streamHeader(w)
		sendEvent(w, chunk("Partial "))
		sendEvent(w, `{"error":{"message":"model crashed"}}`)
	})
	text, err := readReplyErr(t, newClient(t, srv.baseURL(), nil), userSays("hi"))
	if text != "Partial " || !errors.Is(err, llm.ErrServer) {
		t.Fatalf("got %q, %v; want the partial text and ErrServer", text, err)
	}
	checkNamesServer(t, err, srv.baseURL())
	if !strings.Contains(err.Error(), "model crashed") {
		t.Errorf("error %q hides the server's message", err)
	}
	if n := srv.count(); n != 1 {
		t.Errorf("%d requests: an error after the first token must not be retried", n)
	}
}

func checkNamesServer(t *testing.T, err error, baseURL string) {
	t.Helper()
	if !strings.Contains(err.Error(), baseURL) || !strings.Contains(err.Error(), "test-model") {
		t.Errorf("error %q does not name %s and the model", err, baseURL)
	}
}

func TestOpenAIMalformedChunk(t *testing.T) {
	srv := newFakeLLM(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		streamHeader(w)
		sendEvent(w, chunk("Fine "))
		sendEvent(w, `{"choices":[{"delta":{"content":`)
	})
	text, err := readReplyErr(t, newClient(t, srv.baseURL(), nil), userSays("hi"))
	if text != "Fine " || !errors.Is(err, llm.ErrProtocol) {
		t.Errorf("got %q, %v; want the text before and ErrProtocol", text, err)
	}
}

func TestOpenAIMalformedFirstChunk(t *testing.T) {
	srv := newFakeLLM(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		streamHeader(w)
		sendEvent(w, `not json`)
	})
	_, err := newClient(t, srv.baseURL(), nil).Respond(context.Background(), userSays("hi"))
	if !errors.Is(err, llm.ErrProtocol) {
		t.Errorf("err = %v, want ErrProtocol", err)
	}
	if n := srv.count(); n != 1 {
		t.Errorf("%d requests: a malformed stream is not retried", n)
	}
}

// stall sends the given deltas, then waits until the client gives up.
func stall(deltas ...string) func(w http.ResponseWriter, r *http.Request, n int) {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		streamHeader(w)
		for _, d := range deltas {
			sendEvent(w, chunk(d))
		}
		<-r.Context().Done()
	}
}

func TestOpenAISlowTokensTimeout(t *testing.T) {
	srv := newFakeLLM(t, stall("First "))
	// The timeout is long enough for the first piece to come on a loaded
	// machine (the race detector, busy loops beside the suite): this test
	// is about the stall after it.
	const timeout = time.Second
	c := newClient(t, srv.baseURL(), func(o *llm.OpenAIOptions) { o.Timeout = timeout })
	r, err := c.Respond(context.Background(), userSays("hi"))
	if err != nil {
		t.Fatalf("Respond: %v", err)
	}
	defer r.Close()
	if p, err := r.Next(context.Background()); p != "First " || err != nil {
		t.Fatalf("first piece %q, %v", p, err)
	}
	start := time.Now()
	_, err = r.Next(context.Background())
	if !errors.Is(err, llm.ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d > 10*timeout {
		t.Errorf("timed out after %v, want about %v", d, timeout)
	}
	checkNamesServer(t, err, srv.baseURL())
	if _, again := r.Next(context.Background()); !errors.Is(again, llm.ErrTimeout) {
		t.Errorf("Next after the timeout: %v, want the timeout again", again)
	}
}

func TestOpenAIFirstTokenTimeout(t *testing.T) {
	srv := newFakeLLM(t, stall())
	c := newClient(t, srv.baseURL(), func(o *llm.OpenAIOptions) { o.Timeout = 50 * time.Millisecond })
	_, err := c.Respond(context.Background(), userSays("hi"))
	if !errors.Is(err, llm.ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if n := srv.count(); n != 1 {
		t.Errorf("%d requests: a timeout is not retried", n)
	}
}

func TestOpenAICancel(t *testing.T) {
	srv := newFakeLLM(t, stall("First "))
	c := newClient(t, srv.baseURL(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	r, err := c.Respond(ctx, userSays("hi"))
	if err != nil {
		t.Fatalf("Respond: %v", err)
	}
	if _, err := r.Next(ctx); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(20*time.Millisecond, cancel)
	if _, err := r.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Next after cancel: %v, want context.Canceled", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := c.Respond(ctx, userSays("hi")); !errors.Is(err, context.Canceled) {
		t.Errorf("Respond on a cancelled ctx: %v", err)
	}
}

func TestOpenAICloseWhileWaiting(t *testing.T) {
	srv := newFakeLLM(t, stall("First "))
	r, err := newClient(t, srv.baseURL(), nil).Respond(context.Background(), userSays("hi"))
	if err != nil {
		t.Fatalf("Respond: %v", err)
	}
	r.Next(context.Background())
	time.AfterFunc(20*time.Millisecond, func() { r.Close() })
	if _, err := r.Next(context.Background()); !errors.Is(err, llm.ErrReplyClosed) {
		t.Errorf("Next during Close: %v, want ErrReplyClosed", err)
	}
}

func TestOpenAIRetriesServerError(t *testing.T) {
	srv := newFakeLLM(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n < 2 {
			status(w, http.StatusInternalServerError, nil)
			return
		}
		stream("Recovered.")(w, r, n)
	})
	if got := readReply(t, newClient(t, srv.baseURL(), nil), userSays("hi")); got != "Recovered." {
		t.Errorf("got %q", got)
	}
	if n := srv.count(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestOpenAIRetriesExhausted(t *testing.T) {
	srv := newFakeLLM(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		status(w, http.StatusServiceUnavailable, nil)
	})
	_, err := newClient(t, srv.baseURL(), func(o *llm.OpenAIOptions) { o.Retries = 1 }).
		Respond(context.Background(), userSays("hi"))
	if !errors.Is(err, llm.ErrServer) || !strings.Contains(err.Error(), "503") {
		t.Errorf("err = %v, want ErrServer with the status", err)
	}
	checkNamesServer(t, err, srv.baseURL())
	if n := srv.count(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestOpenAIClientErrorNotRetried(t *testing.T) {
	srv := newFakeLLM(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		status(w, http.StatusNotFound, nil)
	})
	_, err := newClient(t, srv.baseURL(), nil).Respond(context.Background(), userSays("hi"))
	if !errors.Is(err, llm.ErrServer) || srv.count() != 1 {
		t.Errorf("err = %v after %d requests, want ErrServer after 1", err, srv.count())
	}
}

func TestOpenAIRateLimitRetryAfter(t *testing.T) {
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
	}{
		{"seconds", map[string]string{"Retry-After": "1"}, time.Second},
		{"milliseconds", map[string]string{"Retry-After-Ms": "250", "Retry-After": "9"}, 250 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFakeLLM(t, func(w http.ResponseWriter, r *http.Request, n int) {
				if n == 0 {
					status(w, http.StatusTooManyRequests, tt.header)
					return
				}
				stream("Done.")(w, r, n)
			})
			c := newClient(t, srv.baseURL(), nil)
			var waits []time.Duration
			llm.SetRetryWait(c, time.Millisecond, func(_ context.Context, d time.Duration) error {
				waits = append(waits, d)
				return nil
			})
			if got := readReply(t, c, userSays("hi")); got != "Done." {
				t.Errorf("got %q", got)
			}
			if len(waits) != 1 || waits[0] != tt.want {
				t.Errorf("waits %v, want [%v]", waits, tt.want)
			}
		})
	}
}

func TestOpenAIRetryAfterTooLong(t *testing.T) {
	srv := newFakeLLM(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		status(w, http.StatusTooManyRequests, map[string]string{"Retry-After": "3600"})
	})
	_, err := newClient(t, srv.baseURL(), nil).Respond(context.Background(), userSays("hi"))
	if !errors.Is(err, llm.ErrServer) || srv.count() != 1 {
		t.Errorf("err = %v after %d requests; an hour's wait is not worth it", err, srv.count())
	}
}

func TestOpenAIBackoffGrows(t *testing.T) {
	c := newClient(t, closedURL(t), func(o *llm.OpenAIOptions) { o.Retries = 4 })
	var waits []time.Duration
	llm.SetRetryWait(c, 100*time.Millisecond, func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		return nil
	})
	_, err := c.Respond(context.Background(), userSays("hi"))
	if !errors.Is(err, llm.ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	if len(waits) != 4 {
		t.Fatalf("waits %v, want 4", waits)
	}
	for i, d := range waits {
		hi := 100 * time.Millisecond << i
		if d < hi/2 || d > hi {
			t.Errorf("wait %d = %v, want within [%v, %v]", i, d, hi/2, hi)
		}
	}
}

func TestOpenAIConnectRefused(t *testing.T) {
	url := closedURL(t)
	_, err := newClient(t, url, nil).Respond(context.Background(), userSays("hi"))
	if !errors.Is(err, llm.ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	checkNamesServer(t, err, url)
}

func TestOpenAIConnectionLostAfterFirstToken(t *testing.T) {
	srv := newFakeLLM(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		streamHeader(w)
		sendEvent(w, chunk("Half "))
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	text, err := readReplyErr(t, newClient(t, srv.baseURL(), nil), userSays("hi"))
	if text != "Half " || !errors.Is(err, llm.ErrUnreachable) {
		t.Errorf("got %q, %v; want the first half and ErrUnreachable", text, err)
	}
	if n := srv.count(); n != 1 {
		t.Errorf("%d requests: text already delivered must not be asked for again", n)
	}
}

func TestOpenAILongReply(t *testing.T) {
	var deltas []string
	var want strings.Builder
	for i := range 5000 {
		d := fmt.Sprintf("w%d ", i)
		deltas = append(deltas, d)
		want.WriteString(d)
	}
	srv := newFakeLLM(t, stream(deltas...))
	if got := readReply(t, newClient(t, srv.baseURL(), nil), userSays("hi")); got != want.String() {
		t.Errorf("got %d bytes, want %d", len(got), want.Len())
	}
}

func TestOpenAIConcurrentReplies(t *testing.T) {
	srv := newFakeLLM(t, stream("a", "b", "c"))
	c := newClient(t, srv.baseURL(), nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if got := readReply(t, c, userSays("hi")); got != "abc" {
				t.Errorf("got %q", got)
			}
		})
	}
	wg.Wait()
}

func TestOpenAIProbe(t *testing.T) {
	srv := newFakeLLM(t, stream())
	if err := newClient(t, srv.baseURL(), nil).Probe(context.Background()); err != nil {
		t.Errorf("Probe: %v", err)
	}
	// A server without /models still answers.
	if err := newClient(t, srv.URL+"/other", nil).Probe(context.Background()); err != nil {
		t.Errorf("Probe of a 404: %v", err)
	}
	if err := newClient(t, closedURL(t), nil).Probe(context.Background()); !errors.Is(err, llm.ErrUnreachable) {
		t.Errorf("Probe of a closed port: %v, want ErrUnreachable", err)
	}
}

func TestNewOpenAIChecksOptions(t *testing.T) {
	tests := []struct {
		name string
		opts llm.OpenAIOptions
		want error
	}{
		{"no model", llm.OpenAIOptions{}, llm.ErrNoModel},
		{"bad scheme", llm.OpenAIOptions{BaseURL: "ftp://x/v1", Model: "m"}, llm.ErrBadBaseURL},
		{"no host", llm.OpenAIOptions{BaseURL: "http:///v1", Model: "m"}, llm.ErrBadBaseURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := llm.NewOpenAI(tt.opts); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	c, err := llm.NewOpenAI(llm.OpenAIOptions{Model: "llama3.2"})
	if err != nil || c.BaseURL() != llm.DefaultBaseURL || c.Name() != "llama3.2" {
		t.Errorf("defaults: %v, base %q, name %q", err, c.BaseURL(), c.Name())
	}
}

func TestAPIKeyFromEnv(t *testing.T) {
	t.Setenv("PARLEY_LLM_API_KEY", "")
	t.Setenv("OPENAI_API_KEY", "")
	if got := llm.APIKeyFromEnv(); got != "" {
		t.Errorf("no key set: %q", got)
	}
	t.Setenv("OPENAI_API_KEY", "openai")
	if got := llm.APIKeyFromEnv(); got != "openai" {
		t.Errorf("got %q, want OPENAI_API_KEY's", got)
	}
	t.Setenv("PARLEY_LLM_API_KEY", "parley")
	if got := llm.APIKeyFromEnv(); got != "parley" {
		t.Errorf("got %q, want PARLEY_LLM_API_KEY's first", got)
	}
}

func TestOpenAIIgnoresEnvironment(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "from-env")
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
	srv := newFakeLLM(t, stream("ok"))
	c := newClient(t, srv.baseURL(), nil)
	if got := readReply(t, c, userSays("hi")); got != "ok" {
		t.Fatalf("got %q", got)
	}
	if auth := srv.request(0).auth; auth != "" {
		t.Errorf("sent %q: the key must come only from the caller", auth)
	}
}

func TestOpenAISendsHistoryWithinBudget(t *testing.T) {
	srv := newFakeLLM(t, stream("ok"))
	c := newClient(t, srv.baseURL(), func(o *llm.OpenAIOptions) { o.MaxHistoryChars = 200 })
	var history []llm.Message
	for i := range 20 {
		history = append(history,
			llm.Message{Role: llm.RoleUser, Content: fmt.Sprintf("question %02d %s", i, strings.Repeat("q", 20))},
			llm.Message{Role: llm.RoleAssistant, Content: fmt.Sprintf("answer %02d %s", i, strings.Repeat("a", 20)), Interrupted: i == 19})
	}
	history = append(history, llm.Message{Role: llm.RoleUser, Content: "latest question"})
	readReply(t, c, history)
	msgs := srv.request(0).Messages
	total := 0
	for _, m := range msgs {
		total += len([]rune(m.Content))
	}
	if total > 200 {
		t.Errorf("sent %d chars, budget 200", total)
	}
	if msgs[0].Role != "system" || msgs[len(msgs)-1].Content != "latest question" {
		t.Errorf("first %+v last %+v", msgs[0], msgs[len(msgs)-1])
	}
	if msgs[1].Role != "user" || !strings.HasPrefix(msgs[1].Content, "question 1") {
		t.Errorf("oldest kept %+v, want a recent user turn", msgs[1])
	}
	if prev := msgs[len(msgs)-2]; !strings.HasPrefix(prev.Content, "answer 19") || !strings.Contains(prev.Content, "interrupted") {
		t.Errorf("interrupted answer sent as %q", prev.Content)
	}
}

// cutAfter sends the deltas, then ends the response as if complete, but
// without a finish reason or [DONE]: the server cut the reply.
func cutAfter(deltas ...string) func(w http.ResponseWriter, r *http.Request, n int) {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		streamHeader(w)
		for _, d := range deltas {
			sendEvent(w, chunk(d))
		}
	}
}

func TestOpenAIReplyCutByTheServer(t *testing.T) {
	srv := newFakeLLM(t, cutAfter("The secret word ", "is marmalade."))
	text, err := readReplyErr(t, newClient(t, srv.baseURL(), nil), userSays("hi"))
	if text != "The secret word is marmalade." || !errors.Is(err, llm.ErrEndedEarly) {
		t.Fatalf("got %q, %v; want the text and ErrEndedEarly", text, err)
	}
	checkNamesServer(t, err, srv.baseURL())
	if !strings.Contains(err.Error(), "the server ended the reply early") {
		t.Errorf("error %q does not say the reply was cut", err)
	}
}

func TestOpenAIEmptyReplyCutByTheServer(t *testing.T) {
	srv := newFakeLLM(t, cutAfter())
	_, err := newClient(t, srv.baseURL(), nil).Respond(context.Background(), userSays("hi"))
	if !errors.Is(err, llm.ErrEndedEarly) {
		t.Fatalf("err = %v, want ErrEndedEarly", err)
	}
}

// TestOpenAIEitherEndMarkIsEnough: servers that send [DONE] without a
// finish reason, or a finish reason without [DONE] (the marker split
// across two writes), end their replies properly.
func TestOpenAIEitherEndMarkIsEnough(t *testing.T) {
	cases := map[string]func(w http.ResponseWriter, r *http.Request, n int){
		"done only": func(w http.ResponseWriter, _ *http.Request, _ int) {
			streamHeader(w)
			sendEvent(w, chunk("Hello."))
			fmt.Fprint(w, "data: [DO")
			w.(http.Flusher).Flush()
			fmt.Fprint(w, "NE]\r\n\r\n")
		},
		"finish reason only": func(w http.ResponseWriter, _ *http.Request, _ int) {
			streamHeader(w)
			sendEvent(w, chunk("Hello."))
			sendEvent(w, `{"id":"c1","object":"chat.completion.chunk","created":1,"model":"test-model","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}`)
		},
	}
	for name, answer := range cases {
		t.Run(name, func(t *testing.T) {
			srv := newFakeLLM(t, answer)
			if got := readReply(t, newClient(t, srv.baseURL(), nil), userSays("hi")); got != "Hello." {
				t.Errorf("got %q", got)
			}
		})
	}
}
