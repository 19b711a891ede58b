package web

import (
	"sync"

	"github.com/coder/websocket"
)

// outMsg is one message waiting to be written to the page.
type outMsg struct {
	typ   websocket.MessageType
	data  []byte
	audio bool // a playback chunk: Flush drops it while it is unsent
}

// outbox queues messages for a connection's writer, so that Play, Flush and
// Publish return at once however slow the link is. It is unbounded: what it
// holds is bounded by the replies parley synthesises, Flush empties its
// audio, and a page that stops reading is dropped after the timeout.
type outbox struct {
	mu   sync.Mutex
	msgs []outMsg
	wake chan struct{} // signalled when msgs grows
}

func newOutbox() *outbox {
	return &outbox{wake: make(chan struct{}, 1)}
}

func (o *outbox) push(msgs ...outMsg) {
	o.mu.Lock()
	o.msgs = append(o.msgs, msgs...)
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// take returns everything queued and empties the queue.
func (o *outbox) take() []outMsg {
	o.mu.Lock()
	defer o.mu.Unlock()
	msgs := o.msgs
	o.msgs = nil
	return msgs
}

// dropAudio removes the playback chunks not written yet.
func (o *outbox) dropAudio() {
	o.mu.Lock()
	defer o.mu.Unlock()
	kept := o.msgs[:0]
	for _, m := range o.msgs {
		if !m.audio {
			kept = append(kept, m)
		}
	}
	clear(o.msgs[len(kept):])
	o.msgs = kept
}
