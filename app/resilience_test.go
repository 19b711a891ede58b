package app

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// TestCloseAllDoesNotWaitForAStuckDevice: the audio ends close at the same
// time, and one that never lets go is abandoned at the limit.
func TestCloseAllDoesNotWaitForAStuckDevice(t *testing.T) {
	stuck := make(chan struct{})
	defer close(stuck)
	var closed atomic.Int32
	var c closers
	c.add(func() error { closed.Add(1); return nil })
	c.add(func() error { <-stuck; return nil })
	c.add(func() error { closed.Add(1); return errors.New("speaker: boom") })
	err := c.closeAll(500 * time.Millisecond)
	if !errors.Is(err, errAudioClose) {
		t.Errorf("err %v, want the stuck end reported", err)
	}
	if closed.Load() != 2 {
		t.Errorf("%d ends closed, want the 2 that can", closed.Load())
	}
	if err := c.closeAll(time.Millisecond); err != nil {
		t.Errorf("second close: %v", err)
	}
}
