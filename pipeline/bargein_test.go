package pipeline

import (
	"context"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/pipeline/llm"
)

// timedPlayer plays each sound for a fixed time unless flushed.
type timedPlayer struct {
	mu        sync.Mutex
	per       time.Duration
	active    []*timedPlayback
	flushes   int
	firstDone chan struct{} // closed when the first sound has played in full
	firstOnce sync.Once
}

type timedPlayback struct {
	started time.Time
	done    chan struct{}
	once    sync.Once
	flushed bool
}

func (p *timedPlayer) Play(context.Context, []float32, int) (Playback, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	start := time.Now()
	if n := len(p.active); n > 0 {
		start = p.active[n-1].started.Add(p.per)
	}
	pb := &timedPlayback{started: start, done: make(chan struct{})}
	p.active = append(p.active, pb)
	time.AfterFunc(time.Until(start.Add(p.per)), func() {
		pb.once.Do(func() {
			close(pb.done)
			p.firstOnce.Do(func() { close(p.firstDone) })
		})
	})
	return pb, nil
}

func (p *timedPlayer) Flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.flushes++
	for _, pb := range p.active {
		pb.once.Do(func() { pb.flushed = true; close(pb.done) })
	}
	p.active = nil
}

func (pb *timedPlayback) Started() (time.Time, bool) { return pb.started, true }
func (pb *timedPlayback) Flushed() bool              { <-pb.done; return pb.flushed }
func (pb *timedPlayback) Wait(ctx context.Context) error {
	select {
	case <-pb.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// threeSentences is the reply of the barge-in tests.
const threeSentences = "First sentence. Second sentence. Third sentence."

func TestBargeInCutsTheReplyAndKeepsOnlyWhatWasPlayed(t *testing.T) {
	player := &timedPlayer{per: 300 * time.Millisecond, firstDone: make(chan struct{})}
	responder := &textResponder{text: threeSentences}
	src := &sliceSource{samples: append(append(frames(5, 0.5), frames(4, 0)...), append(frames(12, 0.5), frames(4, 0)...)...)}
	p, err := New(Options{
		Source: src, VAD: ampVAD{}, Segmenter: &countSegmenter{}, ASR: &numberASR{},
		Responder: responder, TTS: toneTTS{}, Player: player, BargeIn: true, HalfDuplex: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	src.hook = func(pos int) {
		if pos == 9*FrameSize { // the second utterance starts once the first unit has played
			<-player.firstDone
		}
	}
	evs, err := collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if player.flushes == 0 {
		t.Fatal("barge-in did not flush the player")
	}
	var interrupted []string
	for _, ev := range evs {
		if ev.Turn == 1 && (ev.Kind == KindSaid || (len(interrupted) > 0 && ev.Kind != KindState)) {
			t.Errorf("event of the cancelled turn reached the reader: %s", ev.Line())
		}
		if ev.Kind == KindInterrupted {
			interrupted = append(interrupted, ev.Text)
		}
	}
	if !slices.Equal(interrupted, []string{"First sentence."}) {
		t.Errorf("interrupted = %q, want only the played unit", interrupted)
	}
	if got := lines(evs, KindHeard); !slices.Equal(got, []string{"heard: utterance 1", "heard: utterance 2"}) {
		t.Errorf("heard %v", got)
	}
	h := responder.histories[len(responder.histories)-1]
	if len(h) != 3 || h[1].Content != "First sentence." || !h[1].Interrupted {
		t.Errorf("history for the next turn = %+v, want the played part marked interrupted", h)
	}
}

// gatedReply delivers its first sentence, then waits for release.
type gatedReply struct {
	parts   []string
	release chan struct{}
}

func (r *gatedReply) Next(ctx context.Context) (string, error) {
	if len(r.parts) == 0 {
		return "", io.EOF
	}
	if len(r.parts) == 1 {
		select {
		case <-r.release:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	part := r.parts[0]
	r.parts = r.parts[1:]
	return part, nil
}
func (r *gatedReply) Close() error { return nil }

type gatedResponder struct{ reply *gatedReply }

func (g gatedResponder) Name() string { return "gated" }
func (g gatedResponder) Respond(context.Context, []llm.Message) (llm.Reply, error) {
	return g.reply, nil
}

// playSignal reports the first Play call.
type playSignal struct {
	instantPlayer
	once   sync.Once
	played chan struct{}
}

func (p *playSignal) Play(ctx context.Context, s []float32, rate int) (Playback, error) {
	p.once.Do(func() { close(p.played) })
	return p.instantPlayer.Play(ctx, s, rate)
}

func TestFirstUnitPlaysWhileTheReplyStreams(t *testing.T) {
	reply := &gatedReply{parts: []string{"Hello there. ", "Second part. ", "End."}, release: make(chan struct{})}
	player := &playSignal{played: make(chan struct{})}
	go func() {
		<-player.played // the first unit reached the player before the reply went on
		close(reply.release)
	}()
	p, err := New(Options{
		Source: &sliceSource{samples: append(frames(5, 0.5), frames(4, 0)...)}, VAD: ampVAD{},
		Segmenter: &countSegmenter{}, ASR: &numberASR{}, Responder: gatedResponder{reply: reply},
		TTS: toneTTS{}, Player: player,
	})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	if got := lines(evs, KindSaid); !slices.Equal(got, []string{"said: Hello there. Second part. End."}) {
		t.Errorf("said %v", got)
	}
}

// slowFlushPlayer is a timedPlayer whose Flush returns only once the
// interrupted event is in the log (or after a second): the cut turn then
// has every chance to report its end before the barge-in notice.
type slowFlushPlayer struct {
	*timedPlayer
	log *Log
}

func (p slowFlushPlayer) Flush() {
	p.timedPlayer.Flush()
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if data, _ := os.ReadFile(p.log.Path()); strings.Contains(string(data), `"kind":"interrupted"`) {
			return
		}
	}
}

// TestBargeInNoticeComesBeforeTheCut: the notice that the user barged in
// (the cause) comes before the event that the reply was cut (the effect),
// in the event stream and in the log.
func TestBargeInNoticeComesBeforeTheCut(t *testing.T) {
	log, err := OpenLog(t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	player := slowFlushPlayer{timedPlayer: &timedPlayer{per: 300 * time.Millisecond, firstDone: make(chan struct{})}, log: log}
	src := &sliceSource{samples: append(append(frames(5, 0.5), frames(4, 0)...), append(frames(12, 0.5), frames(4, 0)...)...)}
	p, err := New(Options{
		Source: src, VAD: ampVAD{}, Segmenter: &countSegmenter{}, ASR: &numberASR{}, Log: log,
		Responder: &textResponder{text: threeSentences}, TTS: toneTTS{}, Player: player, BargeIn: true, HalfDuplex: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	src.hook = func(pos int) {
		if pos == 9*FrameSize {
			<-player.firstDone
		}
	}
	evs, err := collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, ev := range evs {
		if ev.Kind == KindInterrupted || strings.HasPrefix(ev.Text, "barge-in:") {
			order = append(order, string(ev.Kind))
		}
	}
	if !slices.Equal(order, []string{"info", "interrupted"}) {
		t.Errorf("events %v, want the barge-in notice, then the cut", order)
	}
	data, err := os.ReadFile(log.Path())
	if err != nil {
		t.Fatal(err)
	}
	if notice, cut := strings.Index(string(data), "barge-in:"), strings.Index(string(data), `"kind":"interrupted"`); notice < 0 || cut < notice {
		t.Errorf("log has the notice at %d and the cut at %d, want the notice first", notice, cut)
	}
}
