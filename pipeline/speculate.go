package pipeline

import (
	"context"
	"fmt"
	"sync"
	"time"

	"parley/pipeline/asr"
	"parley/pipeline/turn"
)

// Turn taking with a detector (Options.Turn). The segmenter reports a pause
// (SegmentPause) after a short silence; the listener then finalises the
// transcript, asks the detector whether the turn is over, and, with
// Options.Speculate, hands the utterance to the responder at once, which
// starts the answer but plays nothing until the listener decides. Speech
// that resumes first (SegmentResume) drops that answer and reopens the
// recogniser on the utterance so far, so the resumed speech joins it. The
// turn ends when the detector's decision holds for the silence so far, or
// at the segmenter's own end (its hangover is then the longest wait).

// turnEnd is how one utterance's turn ends: written by the listener, read
// by the responder once decided is closed.
type turnEnd struct {
	decided chan struct{}
	once    sync.Once
	// Written before decided is closed.
	confirmed          bool
	at                 time.Time // when the turn was decided over
	reason             string
	started, cancelled int // answers started at this turn's pauses, and dropped
	// pre is the answer the responder started before the decision; the
	// responder's own.
	pre *prefetch
}

func newTurnEnd() *turnEnd {
	return &turnEnd{decided: make(chan struct{})}
}

// decide records the decision once: confirmed ends the turn, false drops
// the speculative answer.
func (e *turnEnd) decide(confirmed bool, at time.Time, reason string, started, cancelled int) {
	e.once.Do(func() {
		e.confirmed, e.at, e.reason, e.started, e.cancelled = confirmed, at, reason, started, cancelled
		close(e.decided)
	})
}

// isDecided reports whether the decision has been made.
func (e *turnEnd) isDecided() bool {
	select {
	case <-e.decided:
		return true
	default:
		return false
	}
}

// maxProbs bounds the VAD probabilities kept for the detector (8 s).
const maxProbs = 250

// pauseState is the listener's view of the utterance for the detector.
type pauseState struct {
	audio    []float32 // the utterance so far
	probs    []float32 // the VAD's probability of each recent frame
	paused   bool
	silence  time.Duration
	asr      chan asrResult // transcripts of the pause on their way
	haveText bool           // u.text holds a transcript of the pause
	decision turn.Decision
	decided  bool                // decision holds for this pause
	pending  chan decisionResult // a Once detector's decision on its way
	u        utterance           // the transcript at the pause
	end      *turnEnd            // the utterance handed to the responder, if any
	specText string              // the text end's answer is for
	started  int                 // speculative answers started in this turn
	dropped  int                 // and dropped because the user went on
}

// asrResult is a transcript of the utterance at a pause: the recogniser's
// hypothesis, then its final text.
type asrResult struct {
	text  string
	final bool
	err   error
	at    time.Time
}

// track keeps the utterance's audio while a detector is in use.
func (l *listener) track(s Segment) {
	if l.p.opts.Turn == nil {
		return
	}
	if s.Kind == SegmentStart {
		l.pause = pauseState{probs: l.pause.probs}
	}
	l.pause.audio = append(l.pause.audio, s.Samples...)
}

// noteProb keeps the last maxProbs VAD probabilities.
func (l *listener) noteProb(p float32) {
	if l.p.opts.Turn == nil {
		return
	}
	if len(l.pause.probs) == maxProbs {
		l.pause.probs = append(l.pause.probs[:0], l.pause.probs[1:]...)
	}
	l.pause.probs = append(l.pause.probs, p)
}

// onPause hands the recogniser to a goroutine that reports its hypothesis
// (cheap: pocketsphinx's first pass) and then its final text (a hundred
// milliseconds or more), while the listener goes on hearing frames: the
// answer starts from the hypothesis, the detector decides as soon as it
// can, and speech that resumes is noticed at once.
func (l *listener) onPause(ctx context.Context, silence time.Duration) error {
	if l.p.opts.Turn == nil || l.stream == nil {
		return nil
	}
	now := l.p.opts.Now()
	ps := &l.pause
	ps.paused, ps.silence, ps.decided, ps.haveText = true, silence, false, false
	ps.u = utterance{turn: l.turn, speechEnd: now.Add(-silence), speechMS: float64(l.samples) * 1000 / SampleRate}
	ps.asr = make(chan asrResult, 2)
	go l.transcribe(ctx, l.stream, ps.asr)
	l.stream = nil // the goroutine's now; it closes it
	if l.p.opts.Turn.Once() {
		l.askDetector(ctx)
	}
	return l.pollPause(ctx)
}

// transcribe reports the stream's hypothesis and final text, then closes
// it.
func (l *listener) transcribe(ctx context.Context, st asr.Stream, out chan<- asrResult) {
	hyp, err := st.Partial(ctx)
	out <- asrResult{text: hyp, err: err, at: l.p.opts.Now()}
	res, err := st.Finish(ctx)
	_ = st.Close()
	out <- asrResult{text: res.Text, final: true, err: err, at: l.p.opts.Now()}
}

// inPause counts the silence of a pause and takes what has come in.
func (l *listener) inPause(ctx context.Context, samples int) error {
	if !l.pause.paused {
		return nil
	}
	l.pause.silence += time.Duration(samples) * time.Second / SampleRate
	return l.pollPause(ctx)
}

// pollPause takes the transcripts and decisions that came in, decides
// again with a cheap detector, and ends the turn when the decision holds.
func (l *listener) pollPause(ctx context.Context) error {
	ps := &l.pause
	for ps.asr != nil {
		r, ok := tryReceive(ps.asr)
		if !ok {
			break
		}
		if err := l.takeTranscript(ctx, r); err != nil {
			return err
		}
	}
	if r, ok := tryReceive(ps.pending); ok {
		ps.pending = nil
		l.setDecision(r)
	}
	if !l.p.opts.Turn.Once() && ps.haveText {
		l.askDetector(ctx)
	}
	return l.checkTurn(ctx)
}

// tryReceive takes a value from ch if one is ready (never from nil).
func tryReceive[T any](ch chan T) (T, bool) {
	select {
	case v := <-ch:
		return v, true
	default:
		var zero T
		return zero, false
	}
}

// takeTranscript keeps a transcript of the pause and starts (or restarts)
// the answer from it.
func (l *listener) takeTranscript(ctx context.Context, r asrResult) error {
	ps := &l.pause
	if r.final {
		ps.asr = nil
	}
	if r.err != nil {
		if r.final {
			l.p.emitError(l.turn, fmt.Errorf("asr: %w", r.err))
		}
		return nil
	}
	if ps.haveText && r.text == ps.u.text {
		return nil
	}
	ps.u.text, ps.u.finalAt, ps.haveText = r.text, r.at, true
	return l.speculate(ctx, r.text)
}

// speculate hands the utterance with text to the responder, unless the
// answer it has already started is for the same text; a different text
// drops that answer first.
func (l *listener) speculate(ctx context.Context, text string) error {
	ps := &l.pause
	if !l.p.opts.Speculate || text == "" || (ps.end != nil && ps.specText == text) {
		return nil
	}
	l.dropAnswer()
	ps.end, ps.specText = newTurnEnd(), text
	ps.started++
	u := ps.u
	u.end = ps.end
	return l.send(ctx, u)
}

// checkTurn ends the turn once the decision holds for the silence so far
// and the final transcript is in: the hypothesis may miss the word that
// matters ("what time is it in" heard as "... it it" by pocketsphinx's
// first pass), and the answer it started is dropped if the final differs.
func (l *listener) checkTurn(ctx context.Context) error {
	ps := &l.pause
	if !ps.decided || !ps.decision.Over(ps.silence) || ps.asr != nil {
		return nil
	}
	return l.endTurn(ctx, ps.decision.Reason)
}

// endTurn ends the paused utterance: the responder may answer (or play the
// answer it started), and the segmenter closes the utterance. It waits for
// the final transcript if it is not in yet.
func (l *listener) endTurn(ctx context.Context, reason string) error {
	ps := &l.pause
	for ps.asr != nil {
		select {
		case r := <-ps.asr:
			if err := l.takeTranscript(ctx, r); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	end, sent := ps.end, ps.end != nil && ps.specText == ps.u.text
	if !sent {
		l.dropAnswer()
		end = newTurnEnd()
	}
	end.decide(true, l.p.opts.Now(), reason, ps.started, ps.dropped)
	u := ps.u
	u.end = end
	l.pause = pauseState{probs: ps.probs}
	l.p.opts.Segmenter.Flush() // the utterance is over: its end event is not needed
	if sent {
		return nil
	}
	return l.send(ctx, u)
}

// onResume drops the speculative answer and reopens the recogniser on the
// utterance so far: the resumed speech joins it. (An engine that serves one
// stream at a time lets the new one open once the pause's has closed.)
func (l *listener) onResume(ctx context.Context) error {
	ps := &l.pause
	if !ps.paused {
		return nil
	}
	l.dropAnswer()
	ps.paused, ps.decided, ps.pending, ps.asr, ps.haveText = false, false, nil, nil, false
	stream, err := l.p.opts.ASR.NewStream(ctx)
	if err != nil {
		l.p.emitError(l.turn, fmt.Errorf("asr: %w", err))
		return nil
	}
	l.stream = stream
	if err := stream.Accept(ctx, ps.audio); err != nil {
		l.p.emitError(l.turn, fmt.Errorf("asr: %w", err))
		l.closeStream()
	}
	return nil
}

// dropAnswer tells the responder that the answer it started is not wanted.
func (l *listener) dropAnswer() {
	ps := &l.pause
	if ps.end == nil {
		return
	}
	ps.dropped++
	ps.end.decide(false, l.p.opts.Now(), "", ps.started, ps.dropped)
	ps.end, ps.specText = nil, ""
}

// forgetPause drops the pause state with the utterance (ignored, cancelled).
func (l *listener) forgetPause() {
	l.dropAnswer()
	l.pause = pauseState{probs: l.pause.probs}
}

// endAtSilence ends a paused utterance when the segmenter's hangover ran
// out first; it reports whether there was one.
func (l *listener) endAtSilence(ctx context.Context) (bool, error) {
	if !l.pause.paused {
		return false, nil
	}
	reason := "max silence"
	if l.pause.decided {
		reason = l.pause.decision.Reason + "; max silence"
	}
	return true, l.endTurn(ctx, reason)
}

// send hands an utterance to the responder.
func (l *listener) send(ctx context.Context, u utterance) error {
	select {
	case l.p.utterances <- u:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
