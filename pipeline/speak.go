package pipeline

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"
)

// unitSpeaker synthesises and plays the units of one reply in order, in its
// own goroutine, so the first unit plays while the reply still streams and
// later units are synthesised. It keeps memory bounded whatever the reply's
// length: synthesis runs at most SynthAheadUnits units (and SynthAhead of
// audio) ahead of the speaker, and only MaxSpokenChars of a reply are
// spoken, then MoreNote.
type unitSpeaker struct {
	p     *Pipeline
	ctx   context.Context // the turn's context: cancelled by a barge-in
	u     utterance
	m     *TurnMetrics
	units chan spokenUnit
	done  chan struct{}

	// Owned by say (the reply's goroutine).
	chars  int  // characters of units accepted for speech
	capped bool // MaxSpokenChars reached: later units are dropped

	// Owned by run (the speaker's goroutine) until done is closed.
	played   []string
	complete bool // every unit said was played in full
	queued   []queuedUnit
	synth    time.Duration
	audioS   float64
	started  bool
}

// spokenUnit is a unit on its way to the speaker; note marks MoreNote,
// which is spoken but is no part of the reply.
type spokenUnit struct {
	text string
	note bool
}

// queuedUnit is a unit handed to the player.
type queuedUnit struct {
	spokenUnit
	playback Playback
	queuedAt time.Time
	seconds  float64
}

// newUnitSpeaker starts the speaker goroutine of one turn. It keeps the
// turn's context because the goroutine is the turn's own: it ends with it.
func (p *Pipeline) newUnitSpeaker(ctx context.Context, u utterance, m *TurnMetrics) *unitSpeaker {
	s := &unitSpeaker{p: p, ctx: ctx, u: u, m: m, units: make(chan spokenUnit, 64), done: make(chan struct{})}
	go s.run()
	return s
}

// say hands completed units to the speaker; past MaxSpokenChars it hands
// MoreNote once and drops the rest.
func (s *unitSpeaker) say(units []string) {
	for _, unit := range units {
		if s.m.FirstUnit == 0 {
			s.m.FirstUnit = ms(s.p.opts.Now().Sub(s.u.finalAt))
		}
		if s.capped {
			return
		}
		next := spokenUnit{text: unit}
		s.chars += utf8.RuneCountInString(unit)
		if s.chars > s.p.opts.MaxSpokenChars {
			s.capped = true
			next = spokenUnit{text: s.p.opts.MoreNote, note: true}
		}
		select {
		case s.units <- next:
		case <-s.ctx.Done():
			return
		}
	}
}

// close says that no more units come.
func (s *unitSpeaker) close() { close(s.units) }

// wait blocks until everything queued has been played or dropped, and
// returns the units that were played in full, and whether that is all of
// them.
func (s *unitSpeaker) wait() ([]string, bool) {
	<-s.done
	return s.played, s.complete
}

func (s *unitSpeaker) run() {
	defer close(s.done)
	defer s.p.stopSpeaking(s.ctx)
	s.complete = true
	for unit := range s.units {
		if s.ctx.Err() != nil || !s.waitRoom() {
			s.complete = false
			continue // drain: the turn was cancelled
		}
		if err := s.speak(unit); err != nil {
			s.complete = false
			s.p.emitError(s.u.turn, err)
		}
		if !s.collect(false) {
			s.complete = false
		}
	}
	if !s.collect(true) {
		s.complete = false
	}
	if s.audioS > 0 {
		s.m.TTSRTF = s.synth.Seconds() / s.audioS
	}
}

// waitRoom waits until one more unit may be synthesised: fewer than
// SynthAheadUnits units queued, and less than SynthAhead of audio queued
// behind the one playing. It returns false when the queue was dropped.
func (s *unitSpeaker) waitRoom() bool {
	for len(s.queued) > 0 && (len(s.queued) >= s.p.opts.SynthAheadUnits || s.waiting() >= s.p.opts.SynthAhead.Seconds()) {
		if !s.collectFirst() {
			return false
		}
	}
	return true
}

// waiting returns the seconds of audio queued behind the unit playing.
func (s *unitSpeaker) waiting() float64 {
	var sum float64
	for _, q := range s.queued[1:] {
		sum += q.seconds
	}
	return sum
}

// speak synthesises one unit and queues it for playback.
func (s *unitSpeaker) speak(unit spokenUnit) error {
	text := s.p.opts.Speakable(unit.text)
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
		s.p.setState(s.u.turn, StateSpeaking)
	}
	pb, err := s.p.opts.Player.Play(s.ctx, audio.Samples, audio.SampleRate)
	if err != nil {
		return fmt.Errorf("playback: %w", err)
	}
	s.queued = append(s.queued, queuedUnit{spokenUnit: unit, playback: pb, queuedAt: now, seconds: audio.Seconds()})
	return nil
}

// collect moves finished playbacks to played; with block it waits for all.
// It returns false when a barge-in (or the turn's end) dropped the rest.
func (s *unitSpeaker) collect(block bool) bool {
	for len(s.queued) > 0 {
		if !block && !s.finished(s.queued[0]) {
			return true
		}
		if !s.collectFirst() {
			return false
		}
	}
	return true
}

// collectFirst waits for the first queued unit to finish playing; it
// returns false, dropping the queue, when it was flushed or the turn ended.
func (s *unitSpeaker) collectFirst() bool {
	q := s.queued[0]
	if err := q.playback.Wait(s.ctx); err != nil || q.playback.Flushed() {
		s.queued = nil
		return false
	}
	s.notePlayback(q)
	if !q.note {
		s.played = append(s.played, q.text)
	}
	s.queued = s.queued[1:]
	return true
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
