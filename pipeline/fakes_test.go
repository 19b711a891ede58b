package pipeline

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"parley/pipeline/asr"
	"parley/pipeline/llm"
	"parley/pipeline/tts"
)

// sliceSource plays back samples; hook is called before each read.
type sliceSource struct {
	samples []float32
	pos     int
	hook    func(pos int)
}

func (s *sliceSource) Read(_ context.Context, p []float32) (int, error) {
	if s.hook != nil {
		s.hook(s.pos)
	}
	if s.pos >= len(s.samples) {
		return 0, io.EOF
	}
	n := copy(p, s.samples[s.pos:])
	s.pos += n
	return n, nil
}

// speech returns n frames of "speech" (0.5) or silence (0).
func frames(n int, v float32) []float32 {
	out := make([]float32, n*FrameSize)
	for i := range out {
		out[i] = v
	}
	return out
}

type ampVAD struct{}

func (ampVAD) Prob(_ context.Context, f []float32) (float32, error) {
	if rms(f) > 0.1 {
		return 0.9, nil
	}
	return 0.05, nil
}
func (ampVAD) Reset() {}

// countSegmenter starts on one speech frame and ends after two silent ones.
type countSegmenter struct {
	in     bool
	silent int
}

func (s *countSegmenter) Push(prob float32, f []float32) []Segment {
	buf := append([]float32(nil), f...)
	switch {
	case !s.in && prob > 0.5:
		s.in, s.silent = true, 0
		return []Segment{{Kind: SegmentStart, Samples: buf}}
	case s.in && prob <= 0.5:
		s.silent++
		if s.silent == 2 {
			s.in = false
			return []Segment{{Kind: SegmentEnd, Samples: buf}}
		}
	}
	if s.in {
		return []Segment{{Kind: SegmentAudio, Samples: buf}}
	}
	return nil
}
func (s *countSegmenter) Flush() []Segment {
	if s.in {
		s.in = false
		return []Segment{{Kind: SegmentEnd}}
	}
	return nil
}
func (s *countSegmenter) Reset() { s.in = false }

// numberASR names each utterance by its order: "utterance 1", ...
type numberASR struct {
	mu sync.Mutex
	n  int
}

func (a *numberASR) Name() string   { return "fake" }
func (a *numberASR) Device() string { return "cpu" }
func (a *numberASR) Close() error   { return nil }
func (a *numberASR) NewStream(context.Context) (asr.Stream, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n++
	return &numberStream{n: a.n}, nil
}

type numberStream struct {
	n       int
	samples int
}

func (s *numberStream) Accept(_ context.Context, p []float32) error { s.samples += len(p); return nil }
func (s *numberStream) Partial(context.Context) (string, error) {
	return fmt.Sprintf("utterance %d so far", s.n), nil
}
func (s *numberStream) Finish(context.Context) (asr.Result, error) {
	return asr.Result{Text: fmt.Sprintf("utterance %d", s.n), AudioSeconds: float64(s.samples) / SampleRate}, nil
}
func (s *numberStream) Close() error { return nil }

type echoResponder struct{}

func (echoResponder) Name() string { return "echo" }
func (echoResponder) Respond(_ context.Context, h []llm.Message) (llm.Reply, error) {
	words := strings.Fields("you said " + h[len(h)-1].Content + ".")
	return &wordReply{words: words}, nil
}

// textResponder answers every utterance with the same text, in words, and
// records the histories it got.
type textResponder struct {
	text      string
	mu        sync.Mutex
	histories [][]llm.Message
}

func (r *textResponder) Name() string { return "text" }
func (r *textResponder) Respond(_ context.Context, h []llm.Message) (llm.Reply, error) {
	r.mu.Lock()
	r.histories = append(r.histories, slices.Clone(h))
	r.mu.Unlock()
	return &wordReply{words: strings.Fields(r.text)}, nil
}

type wordReply struct{ words []string }

func (r *wordReply) Next(context.Context) (string, error) {
	if len(r.words) == 0 {
		return "", io.EOF
	}
	w := r.words[0] + " "
	r.words = r.words[1:]
	return w, nil
}
func (r *wordReply) Close() error { return nil }

type toneTTS struct{}

func (toneTTS) Name() string   { return "tone" }
func (toneTTS) Device() string { return "cpu" }
func (toneTTS) Close() error   { return nil }
func (toneTTS) Synthesize(_ context.Context, text string) (tts.Audio, error) {
	return tts.Audio{Samples: make([]float32, 160*len(text)), SampleRate: 16000}, nil
}

// instantPlayer "plays" at once and records what it played.
type instantPlayer struct {
	mu     sync.Mutex
	played int
	during func()
}

func (p *instantPlayer) Play(_ context.Context, s []float32, rate int) (Playback, error) {
	if p.during != nil {
		p.during()
	}
	p.mu.Lock()
	p.played += len(s)
	p.mu.Unlock()
	return donePlayback{at: time.Now()}, nil
}
func (p *instantPlayer) Flush() {}

type donePlayback struct{ at time.Time }

func (d donePlayback) Started() (time.Time, bool) { return d.at, true }
func (d donePlayback) Wait(context.Context) error { return nil }
func (d donePlayback) Flushed() bool              { return false }
