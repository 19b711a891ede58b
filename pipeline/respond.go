package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"parley/pipeline/llm"
)

// maxHistory bounds the messages kept for the responder.
const maxHistory = 40

// respond answers utterances one after another, in order.
func (p *Pipeline) respond(ctx context.Context) error {
	var history []llm.Message
	for u := range p.utterances {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !p.awaitTurn(ctx, u, history) {
			continue
		}
		history = p.answer(ctx, u, history)
		if len(history) > maxHistory {
			history = history[len(history)-maxHistory:]
		}
	}
	return nil
}

// answer runs one turn: transcript -> streamed reply -> speech, unit by
// unit. A barge-in cancels the turn; the history then keeps only what was
// played, marked interrupted.
func (p *Pipeline) answer(ctx context.Context, u utterance, history []llm.Message) []llm.Message {
	defer p.setState(ctx, u.turn, StateListening)
	if u.text == "" {
		p.emit(ctx, Event{Kind: KindInfo, Turn: u.turn, Text: "nothing recognised"})
		return history
	}
	turnCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	p.beginTurn(u.turn, cancel)
	defer p.endTurn(u.turn)
	p.emit(ctx, Event{Kind: KindHeard, Turn: u.turn, Text: u.text})
	m := TurnMetrics{SpeechMS: u.speechMS, ASRFinal: ms(u.finalAt.Sub(u.speechEnd))}
	p.setState(ctx, u.turn, StateAnswering)
	history = append(history, llm.Message{Role: llm.RoleUser, Content: u.text})
	sp := p.newUnitSpeaker(turnCtx, u, &m)
	text, err := p.reply(turnCtx, u, history, &m, sp)
	sp.close()
	if err == nil && !p.cancelled(u.turn) {
		p.emit(ctx, Event{Kind: KindAnswer, Turn: u.turn, Text: text})
	}
	played := sp.wait()
	p.noteTurn(u, &m)
	return p.finishTurn(ctx, u, history, turnOutcome{text: text, played: played, err: err}, &m)
}

// turnOutcome is what a turn produced.
type turnOutcome struct {
	text   string
	played []string
	err    error
}

// finishTurn reports the turn and records it in the history.
func (p *Pipeline) finishTurn(ctx context.Context, u utterance, history []llm.Message, o turnOutcome, m *TurnMetrics) []llm.Message {
	said := strings.Join(o.played, " ")
	if p.cancelled(u.turn) {
		m.Interrupted = true
		p.emit(ctx, Event{Kind: KindInterrupted, Turn: u.turn, Text: said})
		p.emit(ctx, Event{Kind: KindMetrics, Turn: u.turn, Metrics: m})
		if said == "" {
			return history
		}
		return append(history, llm.Message{Role: llm.RoleAssistant, Content: said, Interrupted: true})
	}
	if o.err != nil {
		p.emitError(ctx, u.turn, o.err)
		if said == "" {
			return history
		}
		return append(history, llm.Message{Role: llm.RoleAssistant, Content: said, Interrupted: true})
	}
	p.emit(ctx, Event{Kind: KindSaid, Turn: u.turn, Text: said})
	p.stats.AddTurn(*m)
	p.emit(ctx, Event{Kind: KindMetrics, Turn: u.turn, Metrics: m})
	return append(history, llm.Message{Role: llm.RoleAssistant, Content: o.text})
}

// reply streams the responder's answer, emitting each piece and handing
// each completed speakable unit to the speaker at once.
func (p *Pipeline) reply(ctx context.Context, u utterance, history []llm.Message, m *TurnMetrics, sp *unitSpeaker) (string, error) {
	r, err := p.respondTo(ctx, u, history)
	if err != nil {
		return "", fmt.Errorf("%s: %w", p.opts.Responder.Name(), err)
	}
	defer r.Close()
	split := p.opts.NewSplitter()
	var b strings.Builder
	for {
		piece, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return b.String(), fmt.Errorf("%s: %w", p.opts.Responder.Name(), err)
		}
		if b.Len() == 0 {
			m.LLMFirstToken = ms(p.opts.Now().Sub(u.finalAt))
		}
		b.WriteString(piece)
		p.emit(ctx, Event{Kind: KindAnswerDelta, Turn: u.turn, Text: piece})
		sp.say(split.Push(piece))
	}
	sp.say(split.Flush())
	return strings.TrimSpace(b.String()), nil
}

// sentenceSplitter is the default Splitter: whole sentences, released as
// soon as the space after their end arrives.
type sentenceSplitter struct {
	buf string
}

// Push implements Splitter.
func (s *sentenceSplitter) Push(delta string) []string {
	s.buf += delta
	end := lastSentenceEnd(s.buf)
	if end == 0 {
		return nil
	}
	done := s.buf[:end]
	s.buf = s.buf[end:]
	return SplitSentences(done)
}

// Flush implements Splitter.
func (s *sentenceSplitter) Flush() []string {
	rest := SplitSentences(s.buf)
	s.buf = ""
	return rest
}

// lastSentenceEnd returns the index just past the last sentence end that is
// followed by a space, or 0.
func lastSentenceEnd(text string) int {
	for i := len(text) - 2; i >= 0; i-- {
		if c := text[i]; (c == '.' || c == '!' || c == '?') && text[i+1] == ' ' {
			return i + 1
		}
	}
	return 0
}

// SplitSentences cuts text after sentence-ending punctuation followed by a
// space, so each sentence can be synthesised and played on its own.
func SplitSentences(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if (c == '.' || c == '!' || c == '?') && (i+1 == len(text) || text[i+1] == ' ') {
			if s := strings.TrimSpace(text[start : i+1]); s != "" {
				out = append(out, s)
			}
			start = i + 1
		}
	}
	if s := strings.TrimSpace(text[start:]); s != "" {
		out = append(out, s)
	}
	return out
}
