package pipeline

import (
	"context"
	"fmt"
	"time"
)

// unitSpeaker synthesises and plays the units of one reply in order, in its
// own goroutine, so the first unit plays while the reply still streams and
// later units are synthesised.
type unitSpeaker struct {
	p       *Pipeline
	ctx     context.Context // the turn's context: cancelled by a barge-in
	u       utterance
	m       *TurnMetrics
	units   chan string
	done    chan struct{}
	played  []string
	queued  []queuedUnit
	synth   time.Duration
	audioS  float64
	started bool
}

// queuedUnit is a unit handed to the player.
type queuedUnit struct {
	text     string
	playback Playback
	queuedAt time.Time
}

// newUnitSpeaker starts the speaker goroutine of one turn. It keeps the
// turn's context because the goroutine is the turn's own: it ends with it.
func (p *Pipeline) newUnitSpeaker(ctx context.Context, u utterance, m *TurnMetrics) *unitSpeaker {
	s := &unitSpeaker{p: p, ctx: ctx, u: u, m: m, units: make(chan string, 64), done: make(chan struct{})}
	go s.run()
	return s
}

// say hands completed units to the speaker.
func (s *unitSpeaker) say(units []string) {
	for _, unit := range units {
		if s.m.FirstUnit == 0 {
			s.m.FirstUnit = ms(s.p.opts.Now().Sub(s.u.finalAt))
		}
		select {
		case s.units <- unit:
		case <-s.ctx.Done():
			return
		}
	}
}

// close says that no more units come.
func (s *unitSpeaker) close() { close(s.units) }

// wait blocks until everything queued has been played or dropped, and
// returns the units that were played in full.
func (s *unitSpeaker) wait() []string {
	<-s.done
	return s.played
}

func (s *unitSpeaker) run() {
	defer close(s.done)
	defer s.p.stopSpeaking(s.ctx)
	for unit := range s.units {
		if s.ctx.Err() != nil {
			continue // drain: the turn was cancelled
		}
		if err := s.speak(unit); err != nil {
			s.p.emitError(s.ctx, s.u.turn, err)
		}
		s.collect(false)
	}
	s.collect(true)
	if s.audioS > 0 {
		s.m.TTSRTF = s.synth.Seconds() / s.audioS
	}
}

// speak synthesises one unit and queues it for playback.
func (s *unitSpeaker) speak(unit string) error {
	text := s.p.opts.Speakable(unit)
	if text == "" {
		return nil
	}
	t0 := s.p.opts.Now()
	audio, err := s.p.synthesize(s.ctx, s.u, text, !s.started)
	if err != nil {
		return fmt.Errorf("tts %s: %w", s.p.opts.TTS.Name(), err)
	}
	now := s.p.opts.Now()
	s.synth += now.Sub(t0)
	s.audioS += audio.Seconds()
	if !s.started {
		s.started = true
		s.m.TTSFirstAudio = ms(now.Sub(t0))
		s.p.speaking.Store(true)
		s.p.setState(s.ctx, s.u.turn, StateSpeaking)
	}
	pb, err := s.p.opts.Player.Play(s.ctx, audio.Samples, audio.SampleRate)
	if err != nil {
		return fmt.Errorf("playback: %w", err)
	}
	s.queued = append(s.queued, queuedUnit{text: unit, playback: pb, queuedAt: now})
	return nil
}

// collect moves finished playbacks to played; with block it waits for all.
func (s *unitSpeaker) collect(block bool) {
	for len(s.queued) > 0 {
		q := s.queued[0]
		if !block && !s.finished(q) {
			return
		}
		if err := q.playback.Wait(s.ctx); err != nil || q.playback.Flushed() {
			s.queued = nil // a barge-in dropped the rest
			return
		}
		s.notePlayback(q)
		s.played = append(s.played, q.text)
		s.queued = s.queued[1:]
	}
}

// finished reports, without blocking, whether q's playback has ended.
func (s *unitSpeaker) finished(q queuedUnit) bool {
	ctx, cancel := context.WithCancel(s.ctx)
	cancel()
	return q.playback.Wait(ctx) == nil
}

// notePlayback records the first unit's playback timing.
func (s *unitSpeaker) notePlayback(q queuedUnit) {
	if s.m.VoiceToVoice != 0 {
		return
	}
	if at, ok := q.playback.Started(); ok {
		s.m.PlaybackStart = ms(at.Sub(q.queuedAt))
		s.m.VoiceToVoice = ms(at.Sub(s.u.speechEnd))
	}
}

// stopSpeaking keeps the microphone ignored for the echo tail, then resumes.
func (p *Pipeline) stopSpeaking(ctx context.Context) {
	if p.opts.EchoTail > 0 && ctx.Err() == nil {
		t := time.NewTimer(p.opts.EchoTail)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	p.speaking.Store(false)
}
