package main

import (
	"context"
	"time"

	"parley/audio"
	"parley/pipeline"
)

// echoTail keeps the microphone ignored briefly after playback ends, while
// the room (and the audio server's buffers) still carry parley's voice.
const echoTail = 250 * time.Millisecond

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
