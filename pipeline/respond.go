package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

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
		history = p.answer(ctx, u, history)
		if len(history) > maxHistory {
			history = history[len(history)-maxHistory:]
		}
	}
	return nil
}

// answer runs one turn: transcript -> reply -> speech.
func (p *Pipeline) answer(ctx context.Context, u utterance, history []llm.Message) []llm.Message {
	defer p.setState(ctx, u.turn, StateListening)
	if u.text == "" {
		p.emit(ctx, Event{Kind: KindInfo, Turn: u.turn, Text: "nothing recognised"})
		return history
	}
	p.emit(ctx, Event{Kind: KindHeard, Turn: u.turn, Text: u.text})
	m := TurnMetrics{SpeechMS: u.speechMS, ASRFinal: ms(u.finalAt.Sub(u.speechEnd))}
	p.setState(ctx, u.turn, StateAnswering)
	history = append(history, llm.Message{Role: llm.RoleUser, Content: u.text})
	text, err := p.reply(ctx, u, history, &m)
	if err != nil {
		p.emitError(ctx, u.turn, err)
		return history
	}
	p.emit(ctx, Event{Kind: KindAnswer, Turn: u.turn, Text: text})
	history = append(history, llm.Message{Role: llm.RoleAssistant, Content: text})
	p.setState(ctx, u.turn, StateSpeaking)
	if err := p.speak(ctx, u, text, &m); err != nil {
		p.emitError(ctx, u.turn, err)
		return history
	}
	p.emit(ctx, Event{Kind: KindSaid, Turn: u.turn, Text: text})
	p.stats.AddTurn(m)
	p.emit(ctx, Event{Kind: KindMetrics, Turn: u.turn, Metrics: &m})
	return history
}

// reply streams the responder's answer, emitting each piece.
func (p *Pipeline) reply(ctx context.Context, u utterance, history []llm.Message, m *TurnMetrics) (string, error) {
	r, err := p.opts.Responder.Respond(ctx, history)
	if err != nil {
		return "", fmt.Errorf("%s: %w", p.opts.Responder.Name(), err)
	}
	defer r.Close()
	var b strings.Builder
	for {
		piece, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", p.opts.Responder.Name(), err)
		}
		if b.Len() == 0 {
			m.LLMFirstToken = ms(p.opts.Now().Sub(u.finalAt))
		}
		b.WriteString(piece)
		p.emit(ctx, Event{Kind: KindAnswerDelta, Turn: u.turn, Text: piece})
	}
	return strings.TrimSpace(b.String()), nil
}

// speak synthesises text sentence by sentence, queueing each sentence as
// soon as it is ready so the first plays while the next is synthesised, and
// returns when everything has been played.
func (p *Pipeline) speak(ctx context.Context, u utterance, text string, m *TurnMetrics) error {
	p.speaking.Store(true)
	defer p.stopSpeaking(ctx)
	start := p.opts.Now()
	var playbacks []Playback
	var synth time.Duration
	var audioSeconds float64
	for i, sentence := range SplitSentences(text) {
		t0 := p.opts.Now()
		audio, err := p.opts.TTS.Synthesize(ctx, sentence)
		if err != nil {
			return fmt.Errorf("tts %s: %w", p.opts.TTS.Name(), err)
		}
		synth += p.opts.Now().Sub(t0)
		audioSeconds += audio.Seconds()
		if i == 0 {
			m.TTSFirstAudio = ms(p.opts.Now().Sub(start))
		}
		pb, err := p.opts.Player.Play(ctx, audio.Samples, audio.SampleRate)
		if err != nil {
			return fmt.Errorf("playback: %w", err)
		}
		playbacks = append(playbacks, pb)
	}
	if audioSeconds > 0 {
		m.TTSRTF = synth.Seconds() / audioSeconds
	}
	queued := p.opts.Now()
	for _, pb := range playbacks {
		if err := pb.Wait(ctx); err != nil {
			return fmt.Errorf("playback: %w", err)
		}
	}
	if len(playbacks) > 0 {
		if at, ok := playbacks[0].Started(); ok {
			m.PlaybackStart = ms(at.Sub(queued))
			m.VoiceToVoice = ms(at.Sub(u.speechEnd))
		}
	}
	return nil
}

// stopSpeaking keeps the microphone ignored for the echo tail, then resumes.
func (p *Pipeline) stopSpeaking(ctx context.Context) {
	if p.opts.EchoTail > 0 {
		t := time.NewTimer(p.opts.EchoTail)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	p.speaking.Store(false)
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
