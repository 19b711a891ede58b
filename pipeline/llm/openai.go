package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"

	"parley/internal/ctxtime"
)

// Defaults of OpenAIOptions.
const (
	// DefaultBaseURL is Ollama's OpenAI-compatible endpoint on this machine.
	DefaultBaseURL = "http://127.0.0.1:11434/v1"
	// DefaultTimeout bounds the wait for the first token and between two
	// tokens. It is generous because a local server may first have to load
	// the model.
	DefaultTimeout = 60 * time.Second
	// DefaultMaxHistoryChars bounds the history sent with each request,
	// roughly 3000 tokens.
	DefaultMaxHistoryChars = 12000
)

// OpenAIOptions configures NewOpenAI.
type OpenAIOptions struct {
	// BaseURL is the API root, ending in /v1; empty means DefaultBaseURL.
	BaseURL string
	// Model is the model name the server knows, e.g. "llama3.2". Required.
	Model string
	// SystemPrompt, if not empty, is sent first with every request.
	SystemPrompt string
	// Temperature is sent as is (0 to 2); a negative value leaves it to
	// the server.
	Temperature float64
	// MaxTokens bounds the reply's length; 0 leaves it to the server.
	MaxTokens int
	// Timeout bounds the wait for the first token (connecting included)
	// and for each later one; 0 means DefaultTimeout.
	Timeout time.Duration
	// APIKey is sent as a bearer token when not empty. The client never
	// reads the environment itself; see APIKeyFromEnv.
	APIKey string
	// MaxHistoryChars bounds the characters of history sent; the oldest
	// turns are dropped first. 0 means DefaultMaxHistoryChars.
	MaxHistoryChars int
	// Retries is how many times a request that failed before its first
	// token (connection error, 429, 5xx) is tried again; 0 means never.
	Retries int
	// HTTPClient sends the requests; nil means a client without an overall
	// timeout (replies stream for as long as they need).
	HTTPClient *http.Client
}

// OpenAI is a Responder backed by an OpenAI-compatible chat-completions
// server (Ollama, llama.cpp server, vLLM, OpenAI), streaming its replies.
// It is safe for concurrent use.
type OpenAI struct {
	chat    openai.ChatCompletionService
	models  openai.ModelService
	opts    OpenAIOptions
	label   string                                           // names the server and model in errors
	sleep   func(ctx context.Context, d time.Duration) error // waits between retries
	backoff time.Duration                                    // first retry delay
}

var (
	_ Responder = (*OpenAI)(nil)
	_ Prober    = (*OpenAI)(nil)
)

// APIKeyFromEnv returns $PARLEY_LLM_API_KEY, else $OPENAI_API_KEY, else "".
func APIKeyFromEnv() string {
	if k := os.Getenv("PARLEY_LLM_API_KEY"); k != "" {
		return k
	}
	return os.Getenv("OPENAI_API_KEY")
}

// NewOpenAI returns a client for the server at opts.BaseURL. It checks the
// options but does not contact the server.
func NewOpenAI(opts OpenAIOptions) (*OpenAI, error) {
	opts = withDefaults(opts)
	if err := checkOptions(opts); err != nil {
		return nil, err
	}
	ro := []option.RequestOption{
		option.WithBaseURL(strings.TrimSuffix(opts.BaseURL, "/") + "/"),
		option.WithHTTPClient(opts.HTTPClient),
		option.WithMaxRetries(0), // Respond retries, only before the first token
	}
	if opts.APIKey != "" {
		ro = append(ro, option.WithAPIKey(opts.APIKey))
	}
	return &OpenAI{
		chat:    openai.NewChatCompletionService(ro...),
		models:  openai.NewModelService(ro...),
		opts:    opts,
		label:   fmt.Sprintf("llm server %s, model %s", opts.BaseURL, opts.Model),
		sleep:   ctxtime.Sleep,
		backoff: defaultBackoff,
	}, nil
}

func withDefaults(o OpenAIOptions) OpenAIOptions {
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxHistoryChars <= 0 {
		o.MaxHistoryChars = DefaultMaxHistoryChars
	}
	if o.Retries < 0 {
		o.Retries = 0
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	return o
}

func checkOptions(o OpenAIOptions) error {
	u, err := url.Parse(o.BaseURL)
	if err != nil {
		return fmt.Errorf("llm base URL %q: %w", o.BaseURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("llm base URL %q: %w", o.BaseURL, ErrBadBaseURL)
	}
	if strings.TrimSpace(o.Model) == "" {
		return fmt.Errorf("llm server %s: %w", o.BaseURL, ErrNoModel)
	}
	return nil
}

// Name implements Responder: the model's name.
func (c *OpenAI) Name() string { return c.opts.Model }

// BaseURL returns the server's API root.
func (c *OpenAI) BaseURL() string { return c.opts.BaseURL }

// Respond implements Responder. It sends the system prompt and as much of
// history as fits the budget, and returns once the first token arrived, so
// that every failure worth retrying happens here, before any text was
// delivered. ctx bounds the whole reply, not only this call.
func (c *OpenAI) Respond(ctx context.Context, history []Message) (Reply, error) {
	msgs, err := buildMessages(c.opts.SystemPrompt, history, c.opts.MaxHistoryChars)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.label, err)
	}
	params := c.params(msgs)
	for attempt := 0; ; attempt++ {
		r, err := c.open(ctx, params)
		if err == nil {
			return r, nil
		}
		wait, ok := c.retryDelay(err, attempt)
		if !ok || ctx.Err() != nil {
			return nil, err
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%s: waiting to retry: %w", c.label, err)
		}
	}
}

// params builds the request body.
func (c *OpenAI) params(msgs []Message) openai.ChatCompletionNewParams {
	p := openai.ChatCompletionNewParams{Model: c.opts.Model, Messages: toParams(msgs)}
	if c.opts.Temperature >= 0 {
		p.Temperature = openai.Float(c.opts.Temperature)
	}
	if c.opts.MaxTokens > 0 {
		p.MaxTokens = openai.Int(int64(c.opts.MaxTokens))
	}
	return p
}

// open starts one streamed request and waits for its first token.
func (c *OpenAI) open(ctx context.Context, p openai.ChatCompletionNewParams) (*streamReply, error) {
	sctx, cancel := context.WithCancel(ctx)
	r := newStreamReply(cancel, c.opts.Timeout, c.classify)
	go r.run(sctx, func(ctx context.Context, opts ...option.RequestOption) *ssestream.Stream[openai.ChatCompletionChunk] {
		return c.chat.NewStreaming(ctx, p, opts...)
	})
	if err := r.awaitFirst(ctx); err != nil {
		_ = r.Close()
		return nil, err
	}
	return r, nil
}

// Probe reports whether the server answers: it lists the models and
// returns nil for any HTTP answer below 500, since even a server without
// that endpoint is reachable. It implements Prober.
func (c *OpenAI) Probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	_, err := c.models.List(ctx)
	var apiErr *openai.Error
	if err == nil || (errors.As(err, &apiErr) && apiErr.StatusCode < 500) {
		return nil
	}
	if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: probe: %w: %w", c.label, ErrTimeout, err)
	}
	return c.classify(err)
}
