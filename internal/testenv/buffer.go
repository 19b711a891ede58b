package testenv

import (
	"bytes"
	"sync"
)

// Buffer collects output that one goroutine writes while a test reads it
// from another (a child's stderr copied by os/exec, the terminal a Bubble
// Tea command writes to): both sides take its lock. The zero value is an
// empty buffer ready to use.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
