package pipeline

// Notice is a fact the user should know at start (no GPU, LLM offline,
// which engines run), in two lengths: one calm line for the screen, with
// the one action that fixes it, and the full text for the log.
type Notice struct {
	// Fact names what the notice is about: "gpu", "llm", "engines",
	// "audio". A later notice about the same fact replaces the line.
	Fact string
	// Text is the line shown, e.g. "CPU only — no NVIDIA driver".
	Text string
	// Detail is the full text (the loader's error, the server's reply);
	// the log keeps it and the UI does not show it.
	Detail string
}

// Announce records n as a KindInfo event with its Fact and Detail: in the
// log, and in the event stream for the UI. Like Notify it never blocks, so
// it may be called before Run (the stream holds 256 events) or from a
// background check.
func (p *Pipeline) Announce(n Notice) {
	p.post(Event{Kind: KindInfo, Fact: n.Fact, Text: n.Text, Detail: n.Detail})
}

// post logs ev and hands it to the reader if the stream has room; an
// event that finds the stream full or closed is only logged.
func (p *Pipeline) post(ev Event) {
	ev.Time = p.opts.Now()
	if p.opts.Log != nil {
		_ = p.opts.Log.Write(ev)
	}
	p.closeMu.RLock()
	defer p.closeMu.RUnlock()
	if p.closed {
		return
	}
	select {
	case p.events <- ev:
	default:
	}
}
