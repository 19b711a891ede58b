package pipeline

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"parley/pipeline/llm"
)

// gateSource hears silence until its gate closes, then ends: a microphone
// nobody speaks into.
type gateSource struct{ gate chan struct{} }

func (s gateSource) Read(ctx context.Context, p []float32) (int, error) {
	select {
	case <-s.gate:
		return 0, io.EOF
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-time.After(time.Millisecond):
		clear(p)
		return len(p), nil
	}
}

// runTyped runs p and types text into it; Run's result comes on errc.
func runTyped(t *testing.T, p *Pipeline, text string) (ctx context.Context, errc chan error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	errc = make(chan error, 1)
	go func() { errc <- p.Run(ctx) }()
	if err := p.SubmitLines(ctx, strings.NewReader(text)); err != nil {
		t.Fatal(err)
	}
	return ctx, errc
}

func TestTypedTurnsAreAnsweredInOrder(t *testing.T) {
	gate := make(chan struct{})
	p := newTestPipeline(t, gateSource{gate}, &instantPlayer{})
	ctx, errc := runTyped(t, p, "what time is it\n\n  \nand the date?\n")
	var evs []Event
	for ev := range p.Events() {
		evs = append(evs, ev)
		if ev.Kind == KindSaid && len(lines(evs, KindSaid)) == 2 {
			close(gate)
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	want := []string{"heard: what time is it", "said: you said what time is it.", "heard: and the date?", "said: you said and the date?."}
	if got := lines(evs, KindHeard, KindSaid); !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if err := p.SubmitText(ctx, "too late"); !errors.Is(err, ErrStopped) {
		t.Fatalf("after stop: %v, want ErrStopped", err)
	}
}

func TestSubmitTextRejectsBlank(t *testing.T) {
	p := newTestPipeline(t, &sliceSource{}, &instantPlayer{})
	if err := p.SubmitText(context.Background(), " \n\t"); !errors.Is(err, ErrEmptyText) {
		t.Fatalf("err = %v, want ErrEmptyText", err)
	}
}

// TestBlockedSubmitGivesUpAtStop: a typed turn waiting for room in a full
// queue returns ErrStopped when the pipeline stops, instead of holding
// Run up.
func TestBlockedSubmitGivesUpAtStop(t *testing.T) {
	gate := make(chan struct{})
	p := newTestPipeline(t, gateSource{gate}, &instantPlayer{})
	for range cap(p.utterances) { // nothing answers: Run is not started
		if err := p.SubmitText(context.Background(), "queued"); err != nil {
			t.Fatal(err)
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- p.SubmitText(context.Background(), "one too many") }()
	time.Sleep(10 * time.Millisecond) // let it block; the result does not depend on it
	p.closeUtterances()
	if err := <-errc; !errors.Is(err, ErrStopped) {
		t.Fatalf("err = %v, want ErrStopped", err)
	}
}

// TestHistorySeedsTheFirstAnswer: the earlier conversation (--continue)
// reaches the responder before the first turn of this run, and stays.
func TestHistorySeedsTheFirstAnswer(t *testing.T) {
	gate := make(chan struct{})
	resp := &textResponder{text: "Sure."}
	seed := []llm.Message{{Role: llm.RoleUser, Content: "my name is Ada"}, {Role: llm.RoleAssistant, Content: "Hello Ada."}}
	p, err := New(Options{
		Source: gateSource{gate}, VAD: ampVAD{}, Segmenter: &countSegmenter{}, ASR: &numberASR{},
		Responder: resp, TTS: toneTTS{}, Player: &instantPlayer{}, History: slices.Clone(seed),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, errc := runTyped(t, p, "what is my name?\nthanks\n")
	said := 0
	for ev := range p.Events() {
		if ev.Kind == KindSaid {
			if said++; said == 2 {
				close(gate)
			}
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if len(resp.histories) != 2 {
		t.Fatalf("%d requests, want 2", len(resp.histories))
	}
	first, second := resp.histories[0], resp.histories[1]
	if !slices.Equal(first[:2], seed) || first[2].Content != "what is my name?" || len(first) != 3 {
		t.Errorf("first request history %+v", first)
	}
	if !slices.Equal(second[:2], seed) || len(second) != 5 {
		t.Errorf("second request history %+v", second)
	}
}
