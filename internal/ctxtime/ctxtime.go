// Package ctxtime holds parley's one context-aware wait, shared by the
// speaker (echo tail), the LLM client (retry backoff) and the model
// downloader (retry pause).
package ctxtime

import (
	"context"
	"time"
)

// Sleep waits for d, or until ctx is done, and then returns ctx.Err().
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
