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
	a.eng.note("%s", a.startNotice())
	e := a.eng
	p, err := pipeline.New(pipeline.Options{
		Source: a.audio.Source, VAD: e.VAD, Segmenter: segmenterAdapter{seg: seg},
		ASR: e.ASR, Responder: a.llm, TTS: e.TTS, Player: speakerAdapter{sp: a.audio.Speaker},
		Turn: e.Turn, Speculate: cfg.Turn.SpeculateAfter.Duration > 0,
		Log: a.log, HalfDuplex: cfg.Conversation.HalfDuplex && a.audio.Mic != nil,
		EchoTail: echoTail, Notices: e.Notices,
		PartialInterval:   cfg.ASR.PartialInterval.Duration,
		NewSplitter:       newSplitter(cfg.Conversation),
		BargeIn:           cfg.Conversation.BargeIn,
		PlaybackThreshold: float32(cfg.VAD.PlaybackThreshold),
		TalkingOver:       a.audio.talkingOver(),
		BargeInLevel:      float32(math.Pow(10, cfg.VAD.BargeInLevel/20)),
	})
	a.pipe = p
	return err
}

// SegmenterOptions maps the [vad] table to the segmenter's options.
func SegmenterOptions(v config.VAD) audio.SegmenterOptions {
	return audio.SegmenterOptions{
		Threshold: float32(v.Threshold), NegThreshold: float32(v.NegThreshold),
		MinSpeech: v.MinSpeech.Duration, MinSilence: v.MinSilence.Duration,
		PreRoll: v.PreRoll.Duration, MaxUtterance: v.MaxUtterance.Duration,
	}
}

// speakerAdapter lets an audio.Speaker serve as the pipeline's Player.
type speakerAdapter struct {
	sp *audio.Speaker
}

// Play implements pipeline.Player.
func (a speakerAdapter) Play(ctx context.Context, samples []float32, rate int) (pipeline.Playback, error) {
	pb, err := a.sp.Play(ctx, samples, rate)
	if err != nil {
		return nil, err
	}
	return pb, nil
}

// Flush implements pipeline.Player.
func (a speakerAdapter) Flush() {
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
