package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"parley/pipeline/llm"
	"parley/pipeline/tts"
)

// The responder's side of speculative turns (speculate.go): an utterance
// handed over before its turn is decided gets its answer started, the
// language model's reply up to the first speakable unit and that unit's
// speech (a prefetch), while the responder waits for the decision. A
// dropped turn cancels the request and leaves no trace in the history; a
// confirmed one is answered as usual, with the reply replayed from the
// prefetch and the first unit's audio taken from it, so playback starts
// from what is ready.

// prefetch is an answer started before its turn was decided. The fields
// are written by its goroutine before done is closed.
type prefetch struct {
	cancel context.CancelFunc
	done   chan struct{}

	reply      llm.Reply
	err        error    // the responder's error
	pieces     []string // the reply read until the first unit was complete
	eof        bool     // the reply ended within pieces
	readErr    error
	first      string // the first unit's speakable text
	audio      tts.Audio
	synthErr   error
	firstToken time.Time
	synthTime  time.Duration

	used bool // the first unit's audio was played; the speaker's
}

// awaitTurn reports whether to answer u now: at once for an utterance
// whose turn no detector decides, else once the listener has decided,
// with the answer started in the meantime. A dropped turn is not
// answered.
func (p *Pipeline) awaitTurn(ctx context.Context, u utterance, history []llm.Message) bool {
	if u.end == nil {
		return true
	}
	var pre *prefetch
	if !u.end.isDecided() && u.text != "" {
		pre = p.startPrefetch(ctx, u, history)
	}
	select {
	case <-u.end.decided:
	case <-ctx.Done():
	}
	if ctx.Err() != nil || !u.end.confirmed {
		pre.drop()
		p.logOnly(Event{Kind: KindInfo, Turn: u.turn, Text: fmt.Sprintf("speculative answer to %q dropped: the user went on", u.text)})
		return false
	}
	u.end.pre = pre
	return true
}

// startPrefetch starts the answer to u in its own goroutine.
func (p *Pipeline) startPrefetch(ctx context.Context, u utterance, history []llm.Message) *prefetch {
	pctx, cancel := context.WithCancel(ctx)
	pre := &prefetch{cancel: cancel, done: make(chan struct{})}
	hist := append(slices.Clip(history), llm.Message{Role: llm.RoleUser, Content: u.text})
	go pre.run(pctx, p, hist)
	return pre
}

// run asks the responder, reads the reply until its first unit is
// complete, and synthesises that unit.
func (pre *prefetch) run(ctx context.Context, p *Pipeline, history []llm.Message) {
	defer close(pre.done)
	pre.reply, pre.err = p.opts.Responder.Respond(ctx, history)
	if pre.err != nil {
		return
	}
	split := p.opts.NewSplitter()
	var units []string
	for len(units) == 0 && !pre.eof && pre.readErr == nil {
		piece, err := pre.reply.Next(ctx)
		switch {
		case errors.Is(err, io.EOF):
			pre.eof, units = true, split.Flush()
		case err != nil:
			pre.readErr = err
		default:
			if pre.firstToken.IsZero() {
				pre.firstToken = p.opts.Now()
			}
			pre.pieces = append(pre.pieces, piece)
			units = split.Push(piece)
		}
	}
	if len(units) > 0 {
		pre.synthesize(ctx, p, units[0])
	}
}

// synthesize speaks the first unit ahead.
func (pre *prefetch) synthesize(ctx context.Context, p *Pipeline, unit string) {
	pre.first = p.opts.Speakable(unit)
	if pre.first == "" {
		return
	}
	t0 := p.opts.Now()
	pre.audio, pre.synthErr = p.opts.TTS.Synthesize(ctx, pre.first)
	pre.synthTime = p.opts.Now().Sub(t0)
}

// drop cancels the prefetch; its goroutine closes the reply once it has
// stopped (a synthesis under way may not stop at once, and the responder
// must not wait for it). nil is a no-op.
func (pre *prefetch) drop() {
	if pre == nil {
		return
	}
	pre.cancel()
	go func() {
		<-pre.done
		if pre.reply != nil {
			_ = pre.reply.Close()
		}
	}()
}

// respondTo starts the reply to history, or replays the one prefetched
// for u. A barge-in (ctx) cancels the prefetched request too.
func (p *Pipeline) respondTo(ctx context.Context, u utterance, history []llm.Message) (llm.Reply, error) {
	pre := u.prefetched()
	if pre == nil {
		return p.opts.Responder.Respond(ctx, history)
	}
	context.AfterFunc(ctx, pre.cancel)
	select {
	case <-pre.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if pre.err != nil {
		return nil, pre.err
	}
	return &replayReply{pre: pre}, nil
}

// prefetched returns u's prefetched answer, or nil.
func (u utterance) prefetched() *prefetch {
	if u.end == nil {
		return nil
	}
	return u.end.pre
}

// replayReply returns the prefetched pieces, then the rest of the reply.
type replayReply struct {
	pre  *prefetch
	next int
}

// Next implements llm.Reply.
func (r *replayReply) Next(ctx context.Context) (string, error) {
	switch {
	case r.next < len(r.pre.pieces):
		r.next++
		return r.pre.pieces[r.next-1], nil
	case r.pre.eof:
		return "", io.EOF
	case r.pre.readErr != nil:
		return "", r.pre.readErr
	}
	return r.pre.reply.Next(ctx)
}

// Close implements llm.Reply.
func (r *replayReply) Close() error {
	return r.pre.reply.Close()
}

// synthesize speaks text for u: the prefetched audio when text is the
// unit it was made for, else the TTS engine. The first unit of a reply
// loses its leading silence, so that the first sample handed to the device
// is already speech.
func (p *Pipeline) synthesize(ctx context.Context, u utterance, text string, first bool) (tts.Audio, error) {
	a, ok, err := u.prefetchedAudio(text)
	if !ok {
		a, err = p.opts.TTS.Synthesize(ctx, text)
	}
	if err == nil && first {
		a = trimLeadingSilence(a)
	}
	return a, err
}

// prefetchedAudio hands out the prefetched first unit's audio once, when
// text is that unit.
func (u utterance) prefetchedAudio(text string) (tts.Audio, bool, error) {
	pre := u.prefetched()
	if pre == nil || pre.used || pre.first == "" || pre.first != text {
		return tts.Audio{}, false, nil
	}
	pre.used = true
	return pre.audio, true, pre.synthErr
}

// silenceLevel is the amplitude under which leading samples count as
// silence (-50 dBFS); fadeIn is the ramp put on what follows them.
const (
	silenceLevel = 0.00316
	fadeIn       = 32 // 2 ms at 16 kHz
)

// trimLeadingSilence drops the samples before the first one louder than
// silenceLevel and ramps the next fadeIn samples in.
func trimLeadingSilence(a tts.Audio) tts.Audio {
	i := slices.IndexFunc(a.Samples, func(v float32) bool { return v > silenceLevel || v < -silenceLevel })
	if i <= 0 {
		return a
	}
	out := slices.Clone(a.Samples[i:])
	for j := range min(fadeIn, len(out)) {
		out[j] *= float32(j+1) / fadeIn
	}
	return tts.Audio{Samples: out, SampleRate: a.SampleRate}
}

// noteTurn adds to a turn's metrics what the detector and the speculative
// answer did, and the device's latency.
func (p *Pipeline) noteTurn(u utterance, m *TurnMetrics) {
	if d, ok := p.opts.Player.(interface{ Latency() time.Duration }); ok {
		m.DeviceLatency = ms(d.Latency())
	}
	if u.end == nil {
		return
	}
	m.TurnDecision, m.TurnReason = ms(u.end.at.Sub(u.speechEnd)), u.end.reason
	m.SpecStarted, m.SpecCancelled = u.end.started, u.end.cancelled
	pre := u.prefetched()
	if pre == nil || pre.err != nil {
		return
	}
	m.SpecUsed = 1
	if !pre.firstToken.IsZero() {
		m.LLMFirstToken = ms(pre.firstToken.Sub(u.finalAt))
	}
	if pre.used {
		m.TTSFirstAudio = ms(pre.synthTime)
	}
}

// turnLine is the turn-taking part of the headless metrics line; "" when
// no detector ended the turn.
func (m TurnMetrics) turnLine() string {
	s := ""
	if m.DeviceLatency > 0 {
		s += fmt.Sprintf(" device_latency=%.0fms", m.DeviceLatency)
	}
	if m.TurnDecision > 0 {
		s += fmt.Sprintf(" turn_decision=%.0fms speculative=%d/%d/%d", m.TurnDecision, m.SpecStarted, m.SpecUsed, m.SpecCancelled)
	}
	return s
}

// logOnly writes an event to the conversation log without showing it.
func (p *Pipeline) logOnly(ev Event) {
	if p.opts.Log != nil {
		ev.Time = p.opts.Now()
		_ = p.opts.Log.Write(ev)
	}
}
