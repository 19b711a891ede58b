package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"parley/pipeline/asr"
)

// listener is the state of the listening goroutine.
type listener struct {
	p           *Pipeline
	stream      asr.Stream
	turn        TurnID
	samples     int
	lastPartial time.Time
	partial     string
	// partialSlow is set when a partial decode took longer than the
	// interval: re-decoding would then fall behind the microphone, so the
	// utterance gets only its final transcript.
	partialSlow bool
	// overSamples counts the consecutive speech heard over parley.
	overSamples int
	// overLevel is the loudest frame (RMS) of that speech.
	overLevel float32
	ignoring  bool
	// pause is the utterance as the turn detector sees it (speculate.go).
	pause pauseState
}

// listen reads the source frame by frame until it ends.
func (p *Pipeline) listen(ctx context.Context) error {
	l := &listener{p: p}
	defer l.closeStream()
	frame := make([]float32, FrameSize)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := readFull(ctx, p.opts.Source, frame)
		if errors.Is(err, io.EOF) {
			return l.handle(ctx, p.opts.Segmenter.Flush())
		}
		if err != nil {
			return fmt.Errorf("listen: %w", err)
		}
		if err := l.frame(ctx, frame); err != nil {
			return err
		}
	}
}

// readFull fills frame, zero-padding a short last read before io.EOF.
func readFull(ctx context.Context, src Source, frame []float32) error {
	filled := 0
	for filled < len(frame) {
		n, err := src.Read(ctx, frame[filled:])
		filled += n
		if errors.Is(err, io.EOF) {
			if filled == 0 {
				return io.EOF
			}
			clear(frame[filled:])
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// frame handles one FrameSize frame.
func (l *listener) frame(ctx context.Context, frame []float32) error {
	l.p.level.Store(math.Float32bits(rms(frame)))
	if l.p.finishNow.Swap(false) {
		if err := l.handle(ctx, l.p.opts.Segmenter.Flush()); err != nil {
			return err
		}
	}
	muted := l.p.muted.Load() && !l.p.talking.Load()
	speaking, bargeIn := l.p.speaking.Load(), l.p.bargeIn.Load()
	if muted || (l.p.opts.HalfDuplex && speaking && !bargeIn) {
		l.ignore()
		return nil
	}
	if l.ignoring {
		l.ignoring = false
		l.p.opts.VAD.Reset()
	}
	prob, err := l.p.opts.VAD.Prob(ctx, frame)
	if err != nil {
		return fmt.Errorf("vad: %w", err)
	}
	l.noteProb(prob)
	if speaking && bargeIn {
		prob = l.overParley(ctx, prob, frame)
	} else {
		l.overSamples, l.overLevel = 0, 0
	}
	return l.handle(ctx, l.p.opts.Segmenter.Push(prob, frame))
}

// ignore drops what is heard while muted or while parley speaks.
func (l *listener) ignore() {
	if l.ignoring {
		return
	}
	l.ignoring = true
	l.p.opts.Segmenter.Reset()
	l.closeStream()
	l.forgetPause()
}

func (l *listener) handle(ctx context.Context, segs []Segment) error {
	for _, s := range segs {
		if err := l.segment(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

func (l *listener) segment(ctx context.Context, s Segment) error {
	l.track(s)
	switch s.Kind {
	case SegmentStart:
		l.start(ctx)
		l.accept(ctx, s.Samples)
	case SegmentAudio:
		l.accept(ctx, s.Samples)
		l.maybePartial(ctx)
		return l.inPause(ctx, len(s.Samples))
	case SegmentEnd:
		l.accept(ctx, s.Samples)
		return l.finish(ctx, s.Silence)
	case SegmentCancel:
		l.closeStream()
		l.forgetPause()
	case SegmentPause:
		return l.onPause(ctx, s.Silence)
	case SegmentResume:
		return l.onResume(ctx)
	}
	return nil
}

// overParley handles a frame heard while parley speaks with barge-in on.
// The VAD cannot tell one voice from another, so a frame counts as the user
// talking over parley only when it is sure enough, loud enough, and (with
// an echo canceller) more than parley's echo by its double-talk detector.
// Once such frames have lasted BargeInMinSpeech in a row, parley stops. It
// returns the probability to give the segmenter: 0 for frames that do not
// count.
func (l *listener) overParley(ctx context.Context, prob float32, frame []float32) float32 {
	level := rms(frame)
	if prob < max(l.p.opts.PlaybackThreshold, 0.5) || level < l.p.opts.BargeInLevel ||
		(l.p.opts.TalkingOver != nil && !l.p.opts.TalkingOver()) {
		l.overSamples, l.overLevel = 0, 0
		return 0
	}
	l.overSamples += len(frame)
	l.overLevel = max(l.overLevel, level)
	if time.Duration(l.overSamples)*time.Second/SampleRate >= l.p.opts.BargeInMinSpeech {
		l.p.stopForBargeIn(l.overLevel)
		l.overSamples, l.overLevel = 0, 0
	}
	return prob
}

func (l *listener) start(ctx context.Context) {
	l.closeStream()
	l.turn = TurnID(l.p.turn.Add(1))
	l.samples, l.partial, l.lastPartial, l.partialSlow = 0, "", l.p.opts.Now(), false
	l.p.emit(Event{Kind: KindSpeechStart, Turn: l.turn})
	stream, err := l.p.opts.ASR.NewStream(ctx)
	if err != nil {
		l.p.emitError(l.turn, fmt.Errorf("asr: %w", err))
		return
	}
	l.stream = stream
}

func (l *listener) accept(ctx context.Context, samples []float32) {
	if l.stream == nil || len(samples) == 0 {
		return
	}
	l.samples += len(samples)
	if err := l.stream.Accept(ctx, samples); err != nil {
		l.p.emitError(l.turn, fmt.Errorf("asr: %w", err))
		l.closeStream()
	}
}

func (l *listener) maybePartial(ctx context.Context) {
	now := l.p.opts.Now()
	if l.stream == nil || l.partialSlow || now.Sub(l.lastPartial) < l.p.opts.PartialInterval {
		return
	}
	text, err := l.stream.Partial(ctx)
	l.lastPartial = l.p.opts.Now()
	l.partialSlow = l.lastPartial.Sub(now) >= l.p.opts.PartialInterval
	if err != nil || text == "" || text == l.partial {
		return
	}
	l.partial = text
	l.p.emit(Event{Kind: KindPartial, Turn: l.turn, Text: text})
}

// finish finalises the transcript and hands it to the responder.
func (l *listener) finish(ctx context.Context, silence time.Duration) error {
	if paused, err := l.endAtSilence(ctx); paused || l.stream == nil {
		return err
	}
	detected := l.p.opts.Now()
	l.p.setState(l.turn, StateTranscribing)
	res, err := l.stream.Finish(ctx)
	l.closeStream()
	if err != nil {
		l.p.emitError(l.turn, fmt.Errorf("asr: %w", err))
		return nil
	}
	u := utterance{
		turn:      l.turn,
		text:      res.Text,
		speechEnd: detected.Add(-silence),
		finalAt:   l.p.opts.Now(),
		speechMS:  float64(l.samples) * 1000 / SampleRate,
	}
	return l.send(ctx, u)
}

func (l *listener) closeStream() {
	if l.stream != nil {
		_ = l.stream.Close()
		l.stream = nil
	}
}

func rms(frame []float32) float32 {
	var sum float64
	for _, v := range frame {
		sum += float64(v) * float64(v)
	}
	return float32(math.Sqrt(sum / float64(len(frame))))
}
