package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/pipeline/llm"
	"parley/pipeline/tts"
)

// heldPlayer keeps every sound "playing" until the test finishes it, and
// notes the most sounds queued at once.
type heldPlayer struct {
	mu       sync.Mutex
	active   []*timedPlayback
	plays    int
	maxQueue int
}

func (p *heldPlayer) Play(context.Context, []float32, int) (Playback, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pb := &timedPlayback{started: time.Now(), done: make(chan struct{})}
	p.active = append(p.active, pb)
	p.plays++
	p.maxQueue = max(p.maxQueue, len(p.active))
	return pb, nil
}

func (p *heldPlayer) Flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pb := range p.active {
		pb.once.Do(func() { pb.flushed = true; close(pb.done) })
	}
	p.active = nil
}

// state returns the sounds queued now and the Play calls so far.
func (p *heldPlayer) state() (queued, plays int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.active), p.plays
}

// waitPlays waits until Play was called n times.
func (p *heldPlayer) waitPlays(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, plays := p.state(); plays < n; _, plays = p.state() {
		if time.Now().After(deadline) {
			t.Fatalf("%d plays, want %d", plays, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// finishOldest ends the sound playing now.
func (p *heldPlayer) finishOldest() {
	p.mu.Lock()
	defer p.mu.Unlock()
	pb := p.active[0]
	p.active = p.active[1:]
	pb.once.Do(func() { close(pb.done) })
}

// play acts as the speaker for units sounds: it ends the oldest sound each
// time the queue holds want (the pipeline then waits for room), and the
// rest once every unit was queued.
func (p *heldPlayer) play(t *testing.T, units, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for finished := 0; finished < units; {
		queued, plays := p.state()
		if queued > 0 && (queued >= want || plays == units) {
			p.finishOldest()
			finished++
			continue
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d units played; %d queued, %d plays", finished, units, queued, plays)
		}
		time.Sleep(time.Millisecond)
	}
}

func tenSentences() string {
	var b strings.Builder
	for i := range 10 {
		fmt.Fprintf(&b, "Sentence %d is here. ", i)
	}
	return b.String()
}

func oneUtterance() *sliceSource {
	return &sliceSource{samples: append(frames(5, 0.5), frames(4, 0)...)}
}

// replyPipeline is a pipeline that hears one utterance and answers it with
// o's Responder, TTS and Player under o's reply options.
func replyPipeline(t *testing.T, o Options) *Pipeline {
	t.Helper()
	o.Source, o.VAD, o.Segmenter, o.ASR = oneUtterance(), ampVAD{}, &countSegmenter{}, &numberASR{}
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSynthesisStaysBoundedAheadOfPlayback(t *testing.T) {
	cases := []struct {
		name  string
		units int
		ahead time.Duration
		want  int // sounds queued at most: the one playing and those waiting
	}{
		{"default: two units", 0, 0, 2},
		{"audio bound", 10, 300 * time.Millisecond, 3}, // each unit is 0.19 s of audio
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			player := &heldPlayer{}
			p := replyPipeline(t, Options{
				Responder: &textResponder{text: tenSentences()}, TTS: toneTTS{}, Player: player,
				SynthAheadUnits: tc.units, SynthAhead: tc.ahead,
			})
			res := make(chan []Event, 1)
			go func() { evs, _ := collect(t, p); res <- evs }()
			player.play(t, 10, tc.want)
			evs := <-res
			if player.maxQueue != tc.want {
				t.Errorf("%d sounds queued at once, want %d", player.maxQueue, tc.want)
			}
			if said := lines(evs, KindSaid); len(said) != 1 || strings.Count(said[0], "is here.") != 10 {
				t.Errorf("said %q, want all ten sentences", said)
			}
		})
	}
}

// recordingTTS is toneTTS that records what it was asked to say.
type recordingTTS struct {
	toneTTS
	mu    sync.Mutex
	texts []string
}

func (r *recordingTTS) Synthesize(ctx context.Context, text string) (tts.Audio, error) {
	r.mu.Lock()
	r.texts = append(r.texts, text)
	r.mu.Unlock()
	return r.toneTTS.Synthesize(ctx, text)
}

func TestSpokenTextIsCapped(t *testing.T) {
	voice := &recordingTTS{}
	reply := "First sentence here. Second sentence here. Third sentence here."
	p := replyPipeline(t, Options{
		Responder: &textResponder{text: reply}, TTS: voice, Player: &instantPlayer{}, MaxSpokenChars: 30,
	})
	evs, err := collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"First sentence here.", DefaultMoreNote}; !slices.Equal(voice.texts, want) {
		t.Errorf("spoke %q, want %q", voice.texts, want)
	}
	if got := lines(evs, KindSaid, KindAnswer); !slices.Equal(got, []string{"answer: " + reply, "said: First sentence here."}) {
		t.Errorf("answer and said: %q", got)
	}
}

// endlessReply streams words forever.
type endlessReply struct{ n int }

func (r *endlessReply) Next(ctx context.Context) (string, error) {
	r.n++
	return fmt.Sprintf("word%d ", r.n), ctx.Err()
}
func (r *endlessReply) Close() error { return nil }

type endlessResponder struct{}

func (endlessResponder) Name() string { return "endless" }
func (endlessResponder) Respond(context.Context, []llm.Message) (llm.Reply, error) {
	return &endlessReply{}, nil
}

func TestEndlessReplyIsCut(t *testing.T) {
	p := replyPipeline(t, Options{
		Responder: endlessResponder{}, TTS: toneTTS{}, Player: &instantPlayer{}, MaxReplyChars: 1000,
	})
	evs, err := collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	answers := lines(evs, KindAnswer)
	if len(answers) != 1 || len(strings.TrimPrefix(answers[0], "answer: ")) > 1000 || len(answers[0]) < 900 {
		t.Fatalf("answers %d, want one of about 1000 characters", len(answers))
	}
	if info := lines(evs, KindInfo); !slices.ContainsFunc(info, func(l string) bool { return strings.Contains(l, "longer than 1000 characters") }) {
		t.Errorf("no notice that the reply was cut: %q", info)
	}
}

// cutReply delivers its parts, then fails with err.
type cutReply struct {
	parts []string
	err   error
}

func (r *cutReply) Next(context.Context) (string, error) {
	if len(r.parts) == 0 {
		return "", r.err
	}
	part := r.parts[0]
	r.parts = r.parts[1:]
	return part, nil
}
func (r *cutReply) Close() error { return nil }

// cutOnce answers its first request with a reply the server cut, then
// "Fine."; it records the histories it got.
type cutOnce struct {
	name      string
	err       error
	mu        sync.Mutex
	histories [][]llm.Message
}

func (c *cutOnce) Name() string { return c.name }
func (c *cutOnce) Respond(_ context.Context, h []llm.Message) (llm.Reply, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.histories = append(c.histories, slices.Clone(h))
	if len(c.histories) > 1 {
		return &wordReply{words: []string{"Fine."}}, nil
	}
	return &cutReply{parts: []string{"The secret word ", "is marmalade."}, err: c.err}, nil
}

func TestReplyCutByTheServerIsAnError(t *testing.T) {
	voice := &recordingTTS{}
	server := &cutOnce{name: "model", err: fmt.Errorf("llm server X, model Y: %w", llm.ErrEndedEarly)}
	two := append(oneUtterance().samples, oneUtterance().samples...)
	p, err := New(Options{
		Source: &sliceSource{samples: two}, VAD: ampVAD{}, Segmenter: &countSegmenter{}, ASR: &numberASR{},
		Responder: server, TTS: voice, Player: &instantPlayer{},
	})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if got := lines(evs, KindError); len(got) != 1 || !strings.Contains(got[0], "the server ended the reply early") {
		t.Errorf("errors %q, want the cut reported", got)
	}
	if got := lines(evs, KindAnswer); !slices.Equal(got, []string{"answer: Fine."}) {
		t.Errorf("answers %q: the cut reply must not be shown as complete", got)
	}
	if !slices.Contains(voice.texts, "The secret word is marmalade.") {
		t.Errorf("spoke %q, want the text received before the cut", voice.texts)
	}
	h := server.histories[1]
	if len(h) != 3 || h[1].Content != "The secret word is marmalade." || h[1].Interrupted {
		t.Errorf("history for the next turn = %+v, want what was said (not cut by the user)", h)
	}
}

// TestErrorBlamesTheServerNotTheStandIn: a server lost mid-reply switches
// the fallback to the offline responder, but the error is the server's.
func TestErrorBlamesTheServerNotTheStandIn(t *testing.T) {
	lost := &cutOnce{name: "model", err: fmt.Errorf("llm server X, model Y: %w: connection reset", llm.ErrUnreachable)}
	fallback := llm.NewFallback(lost, llm.NewOffline(llm.OfflineOptions{}), llm.FallbackOptions{})
	p := replyPipeline(t, Options{
		Responder: fallback, TTS: toneTTS{}, Player: &instantPlayer{},
	})
	evs, err := collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	got := lines(evs, KindError)
	if len(got) != 1 || !strings.HasPrefix(got[0], "error: llm server X, model Y: ") || strings.Contains(got[0], "offline") {
		t.Errorf("errors %q, want the server's error, not the offline responder's", got)
	}
	if fallback.Online() {
		t.Error("the fallback did not switch offline (the test's premise)")
	}
}

func TestStoppingCutsTheReplyAndReportsIt(t *testing.T) {
	player := &heldPlayer{}
	p := replyPipeline(t, Options{
		Responder: &textResponder{text: tenSentences()}, TTS: toneTTS{}, Player: player,
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	evs, err := runEach(ctx, p, func(ev Event) {
		if ev.Kind == KindState && ev.State == StateSpeaking {
			// The first sentence is played in full (the third is then
			// synthesised), and parley stops during the second.
			player.waitPlays(t, 2)
			player.finishOldest()
			player.waitPlays(t, 3)
			cancel()
		}
	})
	if !errors.Is(err, ErrStopped) {
		t.Errorf("Run = %v, want ErrStopped", err)
	}
	if got := lines(evs, KindInterrupted, KindSaid); !slices.Equal(got, []string{"interrupted: Sentence 0 is here."}) {
		t.Errorf("got %q, want the reply reported cut after what was played", got)
	}
	var metrics []TurnMetrics
	for _, ev := range evs {
		if ev.Kind == KindMetrics {
			metrics = append(metrics, *ev.Metrics)
		}
	}
	if len(metrics) != 1 || !metrics[0].Interrupted {
		t.Errorf("metrics %+v, want one turn marked interrupted", metrics)
	}
	if last := evs[len(evs)-1]; last.State != StateStopped {
		t.Errorf("last event %s, want the stopped state", last.Line())
	}
}
