package llm

import (
	"context"
	"time"
)

// SetRetryWait replaces the first retry delay and, if sleep is not nil,
// the wait between retries, so tests neither sleep long nor guess.
func SetRetryWait(c *OpenAI, backoff time.Duration, sleep func(ctx context.Context, d time.Duration) error) {
	c.backoff = backoff
	if sleep != nil {
		c.sleep = sleep
	}
}
