package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/ssestream"
)

// Retry timing. Waits grow from defaultBackoff, doubling per attempt up to
// maxBackoff, each drawn at random from its upper half (jitter) so that
// clients that failed together do not retry together. A server asking for
// more than maxRetryAfter is not retried: the user is waiting.
const (
	defaultBackoff = 250 * time.Millisecond
	maxBackoff     = 4 * time.Second
	maxRetryAfter  = 30 * time.Second
)

// classify wraps err with the server and model, and with the sentinel that
// says what kind of failure it is.
func (c *OpenAI) classify(err error) error {
	var (
		apiErr    *openai.Error
		streamErr *ssestream.StreamError
	)
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, ErrReplyClosed), errors.Is(err, ErrTimeout), errors.Is(err, ErrEndedEarly):
		return fmt.Errorf("%s: %w", c.label, err)
	case errors.As(err, &apiErr), errors.As(err, &streamErr):
		return fmt.Errorf("%s: %w: %w", c.label, ErrServer, err)
	case isNetworkError(err):
		return fmt.Errorf("%s: %w: %w", c.label, ErrUnreachable, err)
	default:
		return fmt.Errorf("%s: %w: %w", c.label, ErrProtocol, err)
	}
}

// isNetworkError reports a failure to connect, or a connection lost.
func isNetworkError(err error) bool {
	var (
		urlErr *url.Error
		opErr  *net.OpError
		dnsErr *net.DNSError
	)
	return errors.As(err, &urlErr) || errors.As(err, &opErr) || errors.As(err, &dnsErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED)
}

// retryDelay says whether a request that failed before its first token is
// tried again, and after how long.
func (c *OpenAI) retryDelay(err error, attempt int) (time.Duration, bool) {
	if attempt >= c.opts.Retries {
		return 0, false
	}
	var apiErr *openai.Error
	switch {
	case errors.As(err, &apiErr):
		if apiErr.StatusCode != http.StatusTooManyRequests && apiErr.StatusCode < 500 {
			return 0, false
		}
		if d, ok := retryAfter(apiErr.Response, time.Now()); ok {
			return d, d <= maxRetryAfter
		}
	case !errors.Is(err, ErrUnreachable):
		return 0, false
	}
	return jitter(c.backoff, attempt), true
}

// jitter returns a random wait in the upper half of base×2^attempt, capped
// at maxBackoff.
func jitter(base time.Duration, attempt int) time.Duration {
	d := base
	for i := 0; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	return d/2 + rand.N(d/2+1)
}

// retryAfter reads Retry-After-Ms (OpenAI's extension) or Retry-After
// (seconds or an HTTP date).
func retryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	if v := resp.Header.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
