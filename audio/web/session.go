package web

import (
	"time"
)

// historySize is how many transcript entries a new page receives, so that a
// reload shows the conversation so far.
const historySize = 200

// attach makes c the page: a newer page replaces an older one, whose sounds
// end as dropped.
func (s *Server) attach(c *conn, stats *PageStats) {
	s.mu.Lock()
	old := s.active
	if old == c { // a second hello: only news
		s.mu.Unlock()
		s.setStats(c, stats)
		return
	}
	s.active = c
	c.mu.Lock()
	c.attached = true
	c.mu.Unlock()
	c.send(serverMsg{Type: "welcome", JitterMS: float64(s.opts.Jitter) / float64(time.Millisecond), Events: s.history})
	s.mu.Unlock()
	s.setStats(c, stats)
	if old != nil {
		old.drop(ErrDisconnected)
		old.closeWith(closeReplaced, "another page took over")
	}
	s.mic.setLive(true)
	s.notify(State{Connected: true, Peer: c.peer, Message: "browser connected from " + c.peer})
}

// detach gives up c's place, if it still holds it.
func (s *Server) detach(c *conn, err error) {
	s.mu.Lock()
	if s.active != c {
		s.mu.Unlock()
		return
	}
	s.active = nil
	stopping := s.closed
	s.mu.Unlock()
	s.mic.setLive(false)
	msg := "browser disconnected (" + disconnectReason(err, s.opts.Timeout) + "); waiting for the page to reconnect"
	if stopping {
		msg = "browser disconnected (parley stopped)"
	}
	s.notify(State{Peer: c.peer, Message: msg})
}

func (s *Server) notify(st State) {
	s.notifyMu.Lock()
	defer s.notifyMu.Unlock()
	s.stateMu.Lock()
	s.state = st
	s.stateMu.Unlock()
	if s.opts.OnState != nil {
		s.opts.OnState(st)
	}
}

// current returns the attached page's connection, or nil.
func (s *Server) current() *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active
}

// capture hands a frame to the Mic if it comes from the current page.
func (s *Server) capture(c *conn, samples []float32) {
	if s.current() == c {
		s.mic.write(samples)
	}
}

func (s *Server) setStats(c *conn, stats *PageStats) {
	if stats != nil && s.current() == c {
		st := *stats
		s.page.Store(&st)
		c.progress(st.Played, time.Now(), s.opts.Timeout)
	}
}

func (s *Server) pushToTalk(c *conn, down bool) {
	if s.opts.OnPushToTalk != nil && s.current() == c {
		s.opts.OnPushToTalk(down)
	}
}

// Publish shows a pipeline event in the page's transcript: kind is what the
// app calls it ("heard", "partial", "answer", "delta", "said",
// "interrupted", "notice", "error"; the page shows any other kind as a
// notice) and text its text. A page that connects later receives the last
// entries. It never blocks.
func (s *Server) Publish(kind, text string) {
	ev := event{Kind: kind, Text: text, Time: time.Now().UnixMilli()}
	s.mu.Lock()
	defer s.mu.Unlock()
	if kind != "partial" && kind != "delta" {
		if len(s.history) == historySize {
			s.history = append(s.history[:0], s.history[1:]...)
		}
		s.history = append(s.history, ev)
	}
	if s.active != nil {
		s.active.send(serverMsg{Type: "event", Kind: ev.Kind, Text: ev.Text, Time: ev.Time})
	}
}
