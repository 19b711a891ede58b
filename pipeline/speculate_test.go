package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"parley/pipeline/asr"
	"parley/pipeline/llm"
	"parley/pipeline/tts"
	"parley/pipeline/turn"
)

// pauseSegmenter starts on a loud frame, reports a pause after pauseN
// silent frames and a resume on the next loud one, and ends after endN
// silent frames (the hangover: turn.max_silence).
type pauseSegmenter struct {
	pauseN, endN   int
	in, paused     bool
	silent, frames int
}

func (s *pauseSegmenter) Push(prob float32, f []float32) []Segment {
	buf := append([]float32(nil), f...)
	if !s.in {
		if prob <= 0.5 {
			return nil
		}
		s.in, s.silent = true, 0
		return []Segment{{Kind: SegmentStart, Samples: buf}}
	}
	var out []Segment
	if prob > 0.5 {
		if s.paused {
			out = append(out, Segment{Kind: SegmentResume})
		}
		s.silent, s.paused = 0, false
	} else {
		s.silent++
	}
	if s.silent == s.endN {
		s.in, s.paused = false, false
		return append(out, Segment{Kind: SegmentEnd, Samples: buf, Silence: time.Duration(s.silent) * 32 * time.Millisecond})
	}
	out = append(out, Segment{Kind: SegmentAudio, Samples: buf})
	if s.silent == s.pauseN {
		s.paused = true
		out = append(out, Segment{Kind: SegmentPause, Silence: time.Duration(s.silent) * 32 * time.Millisecond})
	}
	return out
}

func (s *pauseSegmenter) Flush() []Segment {
	if !s.in {
		return nil
	}
	s.in, s.paused = false, false
	return []Segment{{Kind: SegmentEnd}}
}

func (s *pauseSegmenter) Reset() { s.in, s.paused = false, false }

// loudASR transcribes the number of loud samples it was fed, in frames:
// the transcript of a resumed utterance grows with it. Its hypothesis
// (Partial) can be made to differ from its final text.
type loudASR struct{ hypSuffix string }

func (a *loudASR) Name() string   { return "loud" }
func (a *loudASR) Device() string { return "cpu" }
func (a *loudASR) Close() error   { return nil }
func (a *loudASR) NewStream(context.Context) (asr.Stream, error) {
	return &loudStream{suffix: a.hypSuffix}, nil
}

type loudStream struct {
	loud   int
	suffix string
}

func (s *loudStream) Accept(_ context.Context, p []float32) error {
	for _, v := range p {
		if v > 0.1 {
			s.loud++
		}
	}
	return nil
}
func (s *loudStream) text() string { return fmt.Sprintf("%d loud frames", s.loud/FrameSize) }
func (s *loudStream) Partial(context.Context) (string, error) {
	return s.text() + s.suffix, nil
}
func (s *loudStream) Finish(context.Context) (asr.Result, error) {
	return asr.Result{Text: s.text()}, nil
}
func (s *loudStream) Close() error { return nil }

// afterDetector ends every turn after a fixed silence, or fails.
type afterDetector struct {
	after time.Duration
	err   error
	calls atomic.Int32
}

func (d *afterDetector) Name() string { return "after" }
func (d *afterDetector) Once() bool   { return false }
func (d *afterDetector) Decide(_ context.Context, in turn.Input) (turn.Decision, error) {
	d.calls.Add(1)
	if d.err != nil {
		return turn.Decision{}, d.err
	}
	if in.Silence >= d.after {
		return turn.Decision{Verdict: turn.Confirm, Reason: "enough silence"}, nil
	}
	return turn.Decision{Verdict: turn.Wait, After: d.after, Reason: "enough silence"}, nil
}

// historyResponder answers "ok." and records every request's history and
// whether its context was cancelled before the reply was closed.
type historyResponder struct {
	mu        sync.Mutex
	histories [][]llm.Message
	cancelled int
}

func (r *historyResponder) Name() string { return "history" }
func (r *historyResponder) Respond(ctx context.Context, h []llm.Message) (llm.Reply, error) {
	r.mu.Lock()
	r.histories = append(r.histories, slices.Clone(h))
	r.mu.Unlock()
	context.AfterFunc(ctx, func() {
		r.mu.Lock()
		r.cancelled++
		r.mu.Unlock()
	})
	return &wordReply{words: []string{"ok."}}, nil
}

// positionPlayer records the source position at each Play.
type positionPlayer struct {
	instantPlayer
	pos   *atomic.Int64
	plays []int64
}

func (p *positionPlayer) Play(ctx context.Context, s []float32, rate int) (Playback, error) {
	p.mu.Lock()
	p.plays = append(p.plays, p.pos.Load())
	p.mu.Unlock()
	return p.instantPlayer.Play(ctx, s, rate)
}

// specRun runs a pipeline with the pause segmenter (pause after 2 silent
// frames, end after 20) on audio, frame by frame with a short sleep so the
// responder can act between frames.
func specRun(t *testing.T, audio []float32, det turn.Detector, speculate bool, a *loudASR) ([]Event, *historyResponder, *positionPlayer) {
	t.Helper()
	var pos atomic.Int64
	src := &sliceSource{samples: audio, hook: func(p int) { pos.Store(int64(p)); time.Sleep(2 * time.Millisecond) }}
	resp, player := &historyResponder{}, &positionPlayer{pos: &pos}
	p, err := New(Options{
		Source: src, VAD: ampVAD{}, Segmenter: &pauseSegmenter{pauseN: 2, endN: 20}, ASR: a,
		Responder: resp, TTS: toneTTS{}, Player: player, Turn: det, Speculate: speculate,
	})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	return evs, resp, player
}

func metricsOf(t *testing.T, evs []Event) []TurnMetrics {
	t.Helper()
	var out []TurnMetrics
	for _, ev := range evs {
		if ev.Kind == KindMetrics {
			out = append(out, *ev.Metrics)
		}
	}
	return out
}

// TestSpeculationDroppedWhenSpeechResumes speaks 5 frames, pauses 6 (the
// answer starts after 2; the detector would end the turn after 8), speaks
// 5 more, then stays silent: one utterance of 10 loud frames, answered
// once, its history free of the dropped answer's request, nothing played
// before the turn was decided.
func TestSpeculationDroppedWhenSpeechResumes(t *testing.T) {
	audio := slices.Concat(frames(5, 0.5), frames(6, 0), frames(5, 0.5), frames(12, 0))
	evs, resp, player := specRun(t, audio, &afterDetector{after: 8 * 32 * time.Millisecond}, true, &loudASR{})
	if got := lines(evs, KindHeard, KindAnswer); !slices.Equal(got, []string{"heard: 10 loud frames", "answer: ok."}) {
		t.Fatalf("events %q, want one turn with every frame", got)
	}
	m := metricsOf(t, evs)
	if len(m) != 1 || m[0].SpecStarted != 2 || m[0].SpecUsed != 1 || m[0].SpecCancelled != 1 || m[0].TurnDecision <= 0 {
		t.Fatalf("metrics %+v, want 2 started, 1 used, 1 cancelled and a decision time", m)
	}
	resp.mu.Lock()
	defer resp.mu.Unlock()
	if len(resp.histories) != 2 || resp.histories[0][0].Content != "5 loud frames" || resp.histories[1][0].Content != "10 loud frames" {
		t.Fatalf("requests %v, want the dropped one then the whole utterance", resp.histories)
	}
	if len(resp.histories[1]) != 1 || resp.cancelled < 1 {
		t.Errorf("last request's history %v (want the user's one message); %d requests cancelled", resp.histories[1], resp.cancelled)
	}
	decided := int64(len(frames(5, 0.5)) + len(frames(6, 0)) + len(frames(5, 0.5)) + len(frames(8, 0)))
	for _, at := range player.plays {
		if at < decided {
			t.Errorf("played at source position %d, before the turn was decided at %d", at, decided)
		}
	}
}

// TestSpeculationUsedWhenConfirmed checks a turn that ends at the
// detector's decision: answered once from the answer started at the
// pause, not again at the segmenter's own end.
func TestSpeculationUsedWhenConfirmed(t *testing.T) {
	audio := slices.Concat(frames(5, 0.5), frames(30, 0))
	evs, resp, _ := specRun(t, audio, &afterDetector{after: 4 * 32 * time.Millisecond}, true, &loudASR{})
	if got := lines(evs, KindHeard, KindSaid); !slices.Equal(got, []string{"heard: 5 loud frames", "said: ok."}) {
		t.Fatalf("events %q", got)
	}
	m := metricsOf(t, evs)
	if len(m) != 1 || m[0].SpecStarted != 1 || m[0].SpecUsed != 1 || m[0].SpecCancelled != 0 || m[0].TurnReason != "enough silence" {
		t.Fatalf("metrics %+v", m)
	}
	if len(resp.histories) != 1 {
		t.Errorf("%d requests, want the speculative one only", len(resp.histories))
	}
}

// TestSpeculationRestartsWhenTheFinalTextDiffers starts the answer from a
// hypothesis that the final text then corrects: the first answer is
// dropped, the second is the one played.
func TestSpeculationRestartsWhenTheFinalTextDiffers(t *testing.T) {
	audio := slices.Concat(frames(5, 0.5), frames(30, 0))
	evs, resp, _ := specRun(t, audio, &afterDetector{after: 4 * 32 * time.Millisecond}, true, &loudASR{hypSuffix: " maybe"})
	if got := lines(evs, KindHeard); !slices.Equal(got, []string{"heard: 5 loud frames"}) {
		t.Fatalf("heard %q", got)
	}
	m := metricsOf(t, evs)
	if len(m) != 1 || m[0].SpecStarted != 2 || m[0].SpecUsed != 1 || m[0].SpecCancelled != 1 {
		t.Fatalf("metrics %+v", m)
	}
	if last := resp.histories[len(resp.histories)-1]; last[0].Content != "5 loud frames" {
		t.Errorf("answered %q", last[0].Content)
	}
}

// TestTurnDetectorWithoutSpeculation answers only once the turn is over.
func TestTurnDetectorWithoutSpeculation(t *testing.T) {
	audio := slices.Concat(frames(5, 0.5), frames(6, 0), frames(5, 0.5), frames(12, 0))
	evs, resp, _ := specRun(t, audio, &afterDetector{after: 8 * 32 * time.Millisecond}, false, &loudASR{})
	m := metricsOf(t, evs)
	if len(m) != 1 || m[0].SpecStarted != 0 || m[0].TurnDecision <= 0 || len(resp.histories) != 1 {
		t.Fatalf("metrics %+v, %d requests", m, len(resp.histories))
	}
}

// TestTurnDetectorErrorFallsBackToTheSegmenter ends the turn at the
// segmenter's end when the detector fails, and reports the error.
func TestTurnDetectorErrorFallsBackToTheSegmenter(t *testing.T) {
	audio := slices.Concat(frames(5, 0.5), frames(24, 0))
	evs, _, _ := specRun(t, audio, &afterDetector{err: errors.New("model broke")}, true, &loudASR{})
	if got := lines(evs, KindHeard, KindSaid); !slices.Equal(got, []string{"heard: 5 loud frames", "said: ok."}) {
		t.Fatalf("events %q", got)
	}
	if errs := lines(evs, KindError); len(errs) == 0 {
		t.Error("the detector's error was not reported")
	}
	if m := metricsOf(t, evs); len(m) != 1 || m[0].TurnReason != "max silence" {
		t.Errorf("metrics %+v, want the turn ended at max silence", m)
	}
}

func TestTrimLeadingSilence(t *testing.T) {
	a := slices.Concat(make([]float32, 100), []float32{0.001, 0.5, 0.5}, make([]float32, 40))
	got := trimLeadingSilence(ttsAudio(a))
	if len(got.Samples) != 42 || got.Samples[0] <= 0 || got.Samples[0] >= 0.5 {
		t.Errorf("trimmed to %d samples starting %v", len(got.Samples), got.Samples[:2])
	}
	if silent := trimLeadingSilence(ttsAudio(make([]float32, 10))); len(silent.Samples) != 10 {
		t.Errorf("all-silent audio trimmed to %d samples", len(silent.Samples))
	}
}

func ttsAudio(s []float32) tts.Audio { return tts.Audio{Samples: s, SampleRate: 16000} }
