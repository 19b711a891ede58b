package app

import (
	"context"
	"fmt"
	"math"
	"time"

	"parley/audio"
	"parley/config"
	"parley/pipeline"
)

// echoTail keeps the microphone ignored briefly after playback ends, while
// the room (and the audio server's buffers) still carry parley's voice.
const echoTail = 250 * time.Millisecond

// newPipeline wires the App's parts into a pipeline.
func (a *App) newPipeline() error {
	cfg := a.eng.Config
	seg, err := audio.NewSegmenter(LiveSegmenterOptions(cfg))
	if err != nil {
		return fmt.Errorf("vad: %w", err)
	}
	e := a.eng
	a.live = newLiveAudio(a.audio)
	a.live.player.latency = func() time.Duration { return a.addedLatency().Playback }
	e.onClose(a.live.close)
	p, err := pipeline.New(pipeline.Options{
		Source: a.source(), VAD: e.VAD, Segmenter: segmenterAdapter{seg: seg},
		ASR: e.ASR, Responder: a.llm, TTS: e.TTS, Player: a.live.player,
		Turn: e.Turn, Speculate: cfg.Turn.SpeculateAfter.Duration > 0,
		Log: a.log, HalfDuplex: cfg.Conversation.HalfDuplex && a.audio.live(),
		EchoTail: echoTail, History: pipeline.History(a.resumed.Turns, cfg.LLM.MaxHistoryChars),
		PartialInterval:   cfg.ASR.PartialInterval.Duration,
		NewSplitter:       newSplitter(cfg.Conversation),
		BargeIn:           cfg.Conversation.BargeIn,
		PlaybackThreshold: float32(cfg.VAD.PlaybackThreshold),
		TalkingOver:       a.talkingOver(),
		BargeInLevel:      float32(math.Pow(10, cfg.VAD.BargeInLevel/20)),
		SynthAheadUnits:   cfg.Conversation.SynthAheadUnits,
		SynthAhead:        cfg.Conversation.SynthAhead.Duration,
		MaxSpokenChars:    cfg.Conversation.MaxSpokenChars,
		MoreNote:          cfg.Conversation.MoreNote,
		MaxReplyChars:     cfg.Conversation.MaxReplyChars,
	})
	if err != nil {
		return err
	}
	a.pipe, a.events = p, a.audio.attach(p)
	for _, n := range a.facts() {
		p.Announce(n)
	}
	return nil
}

// source is what the pipeline hears: the live input, which with typed
// lines does not end before they do.
func (a *App) source() pipeline.Source {
	if a.lines == nil {
		return a.live.source
	}
	return heldSource{src: a.live.source, done: a.linesDone}
}

// talkingOver is the pipeline's double-talk detector when the input goes
// through an echo canceller, nil otherwise (the raised threshold applies).
func (a *App) talkingOver() func() bool {
	if a.live.now().canceller == nil {
		return nil
	}
	return a.live.talkingOver
}

// SegmenterOptions maps the [vad] table to the segmenter's options.
func SegmenterOptions(v config.VAD) audio.SegmenterOptions {
	return audio.SegmenterOptions{
		Threshold: float32(v.Threshold), NegThreshold: float32(v.NegThreshold),
		MinSpeech: v.MinSpeech.Duration, MinSilence: v.MinSilence.Duration,
		PreRoll: v.PreRoll.Duration, MaxUtterance: v.MaxUtterance.Duration,
	}
}

// speaker is what the pipeline's Player needs of a speaker: *audio.Speaker
// and the browser page's *web.Speaker are ones.
type speaker[P pipeline.Playback] interface {
	Play(ctx context.Context, samples []float32, rate int) (P, error)
	Flush()
}

// speakerAdapter lets a speaker serve as the pipeline's Player.
type speakerAdapter[P pipeline.Playback] struct {
	sp speaker[P]
}

// Play implements pipeline.Player.
func (a speakerAdapter[P]) Play(ctx context.Context, samples []float32, rate int) (pipeline.Playback, error) {
	pb, err := a.sp.Play(ctx, samples, rate)
	if err != nil {
		return nil, err
	}
	return pb, nil
}

// Flush implements pipeline.Player.
func (a speakerAdapter[P]) Flush() {
	a.sp.Flush()
}

// segmenterAdapter lets an audio.Segmenter serve as the pipeline's Segmenter.
type segmenterAdapter struct {
	seg *audio.Segmenter
}

// Push implements pipeline.Segmenter.
func (a segmenterAdapter) Push(prob float32, frame []float32) []pipeline.Segment {
	return a.convert(a.seg.Push(prob, frame))
}

// Flush implements pipeline.Segmenter.
func (a segmenterAdapter) Flush() []pipeline.Segment {
	return a.convert(a.seg.Flush())
}

// Reset implements pipeline.Segmenter.
func (a segmenterAdapter) Reset() {
	a.seg.Reset()
}

func (a segmenterAdapter) convert(evs []audio.Event) []pipeline.Segment {
	out := make([]pipeline.Segment, 0, len(evs))
	for _, ev := range evs {
		if seg, ok := turnSegment(ev); ok {
			out = append(out, seg)
			continue
		}
		seg := pipeline.Segment{Samples: ev.Samples}
		switch ev.Kind {
		case audio.SpeechStart:
			seg.Kind = pipeline.SegmentStart
		case audio.Speech:
			seg.Kind = pipeline.SegmentAudio
		case audio.SpeechEnd:
			seg.Kind = pipeline.SegmentEnd
			if ev.Reason == audio.EndSilence {
				seg.Silence = a.seg.Options().MinSilence
			}
		case audio.SpeechCancel:
			seg.Kind = pipeline.SegmentCancel
		}
		out = append(out, seg)
	}
	return out
}
