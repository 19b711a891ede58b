package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"parley/pipeline/llm"
)

// maxHistory bounds the messages kept for the responder.
const maxHistory = 40

// respond answers utterances one after another, in order. Once ctx is
// cancelled, utterances not yet answered are only recorded as heard.
func (p *Pipeline) respond(ctx context.Context) error {
	history := slices.Clone(p.opts.History)
	for u := range p.utterances {
		if ctx.Err() != nil {
			p.recordUnanswered(u)
			continue
		}
		if !p.awaitTurn(ctx, u, history) {
			continue
		}
		history = p.answer(ctx, u, history)
		if len(history) > maxHistory {
			history = history[len(history)-maxHistory:]
		}
	}
	return ctx.Err()
}

// recordUnanswered keeps, in the log and the event stream, an utterance
// heard as parley stopped.
func (p *Pipeline) recordUnanswered(u utterance) {
	if u.text != "" {
		p.emit(Event{Kind: KindHeard, Turn: u.turn, Text: u.text})
	}
}

// answer runs one turn: transcript -> streamed reply -> speech, unit by
// unit. A barge-in cancels the turn; the history then keeps only what was
// played, marked interrupted.
func (p *Pipeline) answer(ctx context.Context, u utterance, history []llm.Message) []llm.Message {
	defer p.setState(u.turn, StateListening)
	if u.text == "" {
		p.emit(Event{Kind: KindInfo, Turn: u.turn, Text: "nothing recognised"})
		return history
	}
	turnCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	p.beginTurn(u.turn, cancel)
	defer p.endTurn(u.turn)
	p.emit(Event{Kind: KindHeard, Turn: u.turn, Text: u.text})
	m := TurnMetrics{SpeechMS: u.speechMS, ASRFinal: ms(u.finalAt.Sub(u.speechEnd))}
	p.setState(u.turn, StateAnswering)
	history = append(history, llm.Message{Role: llm.RoleUser, Content: u.text})
	sp := p.newUnitSpeaker(turnCtx, u, &m)
	text, err := p.reply(turnCtx, u, history, &m, sp)
	sp.close()
	if err == nil && !p.cancelled(u.turn) {
		p.emit(Event{Kind: KindAnswer, Turn: u.turn, Text: text})
	}
	played, complete := sp.wait()
	p.noteTurn(u, &m)
	o := turnOutcome{text: text, played: played, err: err, bargedIn: p.cancelled(u.turn),
		stopped: ctx.Err() != nil && (err != nil || !complete)}
	return p.finishTurn(u, history, o, &m)
}

// turnOutcome is what a turn produced.
type turnOutcome struct {
	text   string
	played []string
	err    error
	// bargedIn is set when the user cut the reply short by speaking.
	bargedIn bool
	// stopped is set when parley stopping (Run's context) cut it short.
	stopped bool
}

// finishTurn reports the turn and records it in the history.
func (p *Pipeline) finishTurn(u utterance, history []llm.Message, o turnOutcome, m *TurnMetrics) []llm.Message {
	said := strings.Join(o.played, " ")
	switch {
	case o.bargedIn || o.stopped:
		if o.bargedIn {
			p.awaitStopNotice()
		} else {
			p.opts.Player.Flush() // nothing more of this reply plays
		}
		m.Interrupted = true
		p.emit(Event{Kind: KindInterrupted, Turn: u.turn, Text: said})
		p.emit(Event{Kind: KindMetrics, Turn: u.turn, Metrics: m})
		return keepSaid(history, said, true)
	case o.err != nil:
		p.emitError(u.turn, o.err)
		return keepSaid(history, said, false)
	}
	p.emit(Event{Kind: KindSaid, Turn: u.turn, Text: said})
	p.emit(Event{Kind: KindMetrics, Turn: u.turn, Metrics: m})
	return append(history, llm.Message{Role: llm.RoleAssistant, Content: o.text})
}

// keepSaid records the part of a reply cut short that was played, marked
// interrupted when the user cut it (a reply the responder failed to finish
// is simply what was said).
func keepSaid(history []llm.Message, said string, byUser bool) []llm.Message {
	if said == "" {
		return history
	}
	return append(history, llm.Message{Role: llm.RoleAssistant, Content: said, Interrupted: byUser})
}

// reply streams the responder's answer, emitting each piece and handing
// each completed speakable unit to the speaker at once. A reply that ends
// in an error still has its text received so far spoken. Errors come from
// the responder, which names itself in them: a responder that stands in for
// another (llm.Fallback) may change its Name while the reply streams.
func (p *Pipeline) reply(ctx context.Context, u utterance, history []llm.Message, m *TurnMetrics, sp *unitSpeaker) (string, error) {
	r, err := p.respondTo(ctx, u, history)
	if err != nil {
		return "", err
	}
	defer r.Close()
	split := p.opts.NewSplitter()
	defer func() { sp.say(split.Flush()) }()
	var b strings.Builder
	chars := 0
	for {
		piece, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return strings.TrimSpace(b.String()), err
		}
		if b.Len() == 0 {
			m.LLMFirstToken = ms(p.opts.Now().Sub(u.finalAt))
		}
		piece, full := capText(piece, p.opts.MaxReplyChars-chars)
		chars += utf8.RuneCountInString(piece)
		b.WriteString(piece)
		p.emit(Event{Kind: KindAnswerDelta, Turn: u.turn, Text: piece})
		sp.say(split.Push(piece))
		if full {
			p.emit(Event{Kind: KindInfo, Turn: u.turn, Text: fmt.Sprintf("the reply is longer than %d characters; the rest was not read", p.opts.MaxReplyChars)})
			break
		}
	}
	return strings.TrimSpace(b.String()), nil
}

// capText returns piece cut to at most room characters (runes), and
// whether it had to be cut.
func capText(piece string, room int) (string, bool) {
	n := 0
	for i := range piece {
		if n == room {
			return piece[:i], true
		}
		n++
	}
	return piece, false
}
