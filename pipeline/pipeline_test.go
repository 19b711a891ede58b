package pipeline

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"parley/pipeline/asr"
)

func newTestPipeline(t *testing.T, src Source, player Player) *Pipeline {
	t.Helper()
	p, err := New(Options{
		Source: src, VAD: ampVAD{}, Segmenter: &countSegmenter{}, ASR: &numberASR{},
		Responder: echoResponder{}, TTS: toneTTS{}, Player: player, PartialInterval: time.Nanosecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func collect(t *testing.T, p *Pipeline) ([]Event, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return runEach(ctx, p, func(Event) {})
}

// runEach runs p, hands each event to each as it comes and returns them
// all with Run's result.
func runEach(ctx context.Context, p *Pipeline, each func(Event)) ([]Event, error) {
	errc := make(chan error, 1)
	go func() { errc <- p.Run(ctx) }()
	var evs []Event
	for ev := range p.Events() {
		evs = append(evs, ev)
		each(ev)
	}
	return evs, <-errc
}

func lines(evs []Event, kinds ...Kind) []string {
	var out []string
	for _, ev := range evs {
		if slices.Contains(kinds, ev.Kind) {
			out = append(out, ev.Line())
		}
	}
	return out
}

func threeUtterances() []float32 {
	var s []float32
	for range 3 {
		s = append(s, frames(5, 0.5)...)
		s = append(s, frames(4, 0)...)
	}
	return s
}

func TestEachUtteranceAnsweredOnceInOrder(t *testing.T) {
	player := &instantPlayer{}
	evs, err := collect(t, newTestPipeline(t, &sliceSource{samples: threeUtterances()}, player))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"heard: utterance 1", "answer: you said utterance 1.", "said: you said utterance 1.",
		"heard: utterance 2", "answer: you said utterance 2.", "said: you said utterance 2.",
		"heard: utterance 3", "answer: you said utterance 3.", "said: you said utterance 3.",
	}
	if got := lines(evs, KindHeard, KindAnswer, KindSaid); !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if player.played == 0 {
		t.Error("nothing was played")
	}
	if evs[len(evs)-1].State != StateStopped {
		t.Errorf("last event %+v, want state stopped", evs[len(evs)-1])
	}
	if len(lines(evs, KindPartial)) == 0 {
		t.Error("no partial transcript while speaking")
	}
	for _, ev := range evs {
		if ev.Kind == KindHeard && ev.Turn == 0 {
			t.Errorf("heard without a turn: %+v", ev)
		}
	}
}

func TestUtteranceCutByEndOfFileIsAnswered(t *testing.T) {
	evs, err := collect(t, newTestPipeline(t, &sliceSource{samples: frames(5, 0.5)}, &instantPlayer{}))
	if err != nil {
		t.Fatal(err)
	}
	if got := lines(evs, KindHeard); !slices.Equal(got, []string{"heard: utterance 1"}) {
		t.Errorf("heard %v", got)
	}
}

func TestHalfDuplexIgnoresSpeechWhileSpeaking(t *testing.T) {
	// The source blocks until parley speaks, then delivers an utterance
	// that must be ignored because it arrives during playback.
	src := &sliceSource{samples: append(threeUtterances()[:9*FrameSize], frames(5, 0.5)...)}
	speakingSeen := make(chan struct{})
	release := make(chan struct{})
	player := &instantPlayer{during: func() {
		close(speakingSeen)
		<-release
	}}
	p := newTestPipeline(t, src, player)
	p.opts.HalfDuplex = true
	src.hook = func(pos int) {
		if pos == 9*FrameSize {
			<-speakingSeen
		}
		if pos >= len(src.samples) {
			close(release)
		}
	}
	evs, err := collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if got := lines(evs, KindHeard); !slices.Equal(got, []string{"heard: utterance 1"}) {
		t.Errorf("heard %v; speech during playback must be ignored", got)
	}
}

func TestLogIsWrittenBeforeTheEventIsSeen(t *testing.T) {
	dir := t.TempDir()
	log, err := OpenLog(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p := newTestPipeline(t, &sliceSource{samples: threeUtterances()}, &instantPlayer{})
	p.opts.Log = log
	ctx := context.Background()
	go func() { _ = p.Run(ctx) }()
	for ev := range p.Events() {
		if ev.Kind != KindHeard {
			continue
		}
		data, err := os.ReadFile(log.Path())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), `"text":"`+ev.Text+`"`) {
			t.Fatalf("event %q reached the reader before the log", ev.Text)
		}
	}
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	checkLogLines(t, log.Path())
}

func checkLogLines(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var metrics int
	for sc.Scan() {
		var ev Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if ev.Time.IsZero() {
			t.Errorf("log line without time: %s", sc.Text())
		}
		if ev.Kind == KindMetrics {
			metrics++
		}
	}
	if metrics != 3 {
		t.Errorf("%d metrics lines, want 3", metrics)
	}
}

func TestCancelStopsRun(t *testing.T) {
	block := &sliceSource{samples: frames(1, 0), hook: func(int) { time.Sleep(time.Millisecond) }}
	block.samples = frames(100000, 0)
	p := newTestPipeline(t, block, &instantPlayer{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := runEach(ctx, p, func(Event) {}); !errors.Is(err, ErrStopped) {
		t.Errorf("Run after cancel = %v, want ErrStopped", err)
	}
}

func TestIncompleteOptions(t *testing.T) {
	if _, err := New(Options{}); !errors.Is(err, ErrIncomplete) {
		t.Errorf("New(empty) = %v", err)
	}
}

func TestPushToTalkFinalisesAtOnce(t *testing.T) {
	// Speech that never falls silent: only releasing push-to-talk ends it.
	src := &sliceSource{samples: frames(40, 0.5)}
	p := newTestPipeline(t, src, &instantPlayer{})
	p.SetMuted(true)
	p.SetPushToTalk(true)
	src.hook = func(pos int) {
		if pos == 20*FrameSize {
			p.SetPushToTalk(false)
		}
	}
	evs, err := collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	heard := lines(evs, KindHeard)
	if len(heard) != 1 {
		t.Fatalf("heard %v, want exactly one utterance ended by push-to-talk", heard)
	}
	for _, ev := range evs {
		if ev.Kind == KindHeard && ev.Time.IsZero() {
			t.Error("event without time")
		}
	}
}

func TestNotifyAfterStopIsHarmless(t *testing.T) {
	p := newTestPipeline(t, &sliceSource{}, &instantPlayer{})
	if _, err := collect(t, p); err != nil {
		t.Fatal(err)
	}
	p.Notify("late notice") // must not panic on the closed stream
}

// slowPartialASR takes longer than the partial interval to decode.
type slowPartialASR struct {
	numberASR
	calls int
}

func (a *slowPartialASR) NewStream(ctx context.Context) (asr.Stream, error) {
	s, _ := a.numberASR.NewStream(ctx)
	return &slowStream{Stream: s, a: a}, nil
}

type slowStream struct {
	asr.Stream
	a *slowPartialASR
}

func (s *slowStream) Partial(ctx context.Context) (string, error) {
	s.a.calls++
	time.Sleep(20 * time.Millisecond)
	return s.Stream.Partial(ctx)
}

func TestSlowPartialsStopForTheUtterance(t *testing.T) {
	slow := &slowPartialASR{}
	p, err := New(Options{
		Source: &sliceSource{samples: append(frames(30, 0.5), frames(4, 0)...), hook: func(int) { time.Sleep(2 * time.Millisecond) }},
		VAD:    ampVAD{}, Segmenter: &countSegmenter{}, ASR: slow, Responder: echoResponder{}, TTS: toneTTS{},
		Player: &instantPlayer{}, PartialInterval: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := collect(t, p); err != nil {
		t.Fatal(err)
	}
	if slow.calls != 1 {
		t.Errorf("%d partial decodes; after one slower than the interval there must be none", slow.calls)
	}
}
