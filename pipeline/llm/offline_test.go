package llm_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"parley/pipeline/llm"
)

func fixedClock() time.Time {
	return time.Date(2025, time.March, 14, 15, 9, 26, 0, time.UTC)
}

func newOffline() *llm.Offline {
	return llm.NewOffline(llm.OfflineOptions{Clock: fixedClock, ConnectHint: "Connect a server."})
}

func TestOfflineIntents(t *testing.T) {
	tests := []struct {
		name, said, want string
	}{
		{"time", "What time is it?", "It's 3:09 PM."},
		{"time lower case no punctuation", "tell me the time", "It's 3:09 PM."},
		{"time wins over greeting", "hello what time is it", "It's 3:09 PM."},
		{"date", "Tell me the date.", "Today is Friday, March 14, 2025."},
		{"day", "what day is it", "Today is Friday, March 14, 2025."},
		{"help", "What can you do?", "I'm running offline, without a language model, so I can tell you the time and the date, and repeat what I heard. Connect a server."},
		{"help word", "help", "I'm running offline, without a language model, so I can tell you the time and the date, and repeat what I heard. Connect a server."},
		{"name", "what's your name", "I'm parley, a voice assistant. Right now I'm running offline, without a language model."},
		{"who", "Who are you?", "I'm parley, a voice assistant. Right now I'm running offline, without a language model."},
		{"thanks", "thank you", "You're welcome."},
		{"thanks short", "Thanks!", "You're welcome."},
		{"greeting", "Hello", "Hello! I'm parley. I'm running offline, so I can tell you the time and the date. Ask me what I can do."},
		{"greeting hi", "hi there", "Hello! I'm parley. I'm running offline, so I can tell you the time and the date. Ask me what I can do."},
		{"hi inside a word is not a greeting", "this is nothing", "I heard: this is nothing. I'm offline, so I can't answer that. Connect a server."},
		{"echo", "Open the door please.", "I heard: Open the door please. I'm offline, so I can't answer that. Connect a server."},
		{"silence", "  ", "I didn't catch that. I'm running offline, without a language model."},
	}
	o := newOffline()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readReply(t, o, []llm.Message{{Role: llm.RoleUser, Content: tt.said}})
			if got != tt.want {
				t.Errorf("answer to %q:\n got %q\nwant %q", tt.said, got, tt.want)
			}
			if again := readReply(t, o, []llm.Message{{Role: llm.RoleUser, Content: tt.said}}); again != got {
				t.Errorf("not deterministic: %q then %q", got, again)
			}
		})
	}
}

func TestOfflineAnswersLastUserMessage(t *testing.T) {
	history := []llm.Message{
		{Role: llm.RoleSystem, Content: "be brief"},
		{Role: llm.RoleUser, Content: "what time is it"},
		{Role: llm.RoleAssistant, Content: "It's 3:09 PM."},
		{Role: llm.RoleUser, Content: "thanks"},
		{Role: llm.RoleAssistant, Content: "You're", Interrupted: true},
	}
	if got := readReply(t, newOffline(), history); got != "You're welcome." {
		t.Errorf("got %q, want the answer to the last user message", got)
	}
}

func TestOfflineNoUserMessage(t *testing.T) {
	_, err := newOffline().Respond(context.Background(), []llm.Message{{Role: llm.RoleSystem, Content: "x"}})
	if !errors.Is(err, llm.ErrNoUserMessage) {
		t.Errorf("err = %v, want ErrNoUserMessage", err)
	}
}

func TestOfflineStreamsPieces(t *testing.T) {
	o := llm.NewOffline(llm.OfflineOptions{Clock: fixedClock, WordsPerPiece: 3})
	r, err := o.Respond(context.Background(), []llm.Message{{Role: llm.RoleUser, Content: "open the door please"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pieces := readPieces(t, r)
	if len(pieces) < 3 {
		t.Fatalf("got %d pieces %q, want the reply in several pieces", len(pieces), pieces)
	}
	if got, want := pieces[0], "I heard: open "; got != want {
		t.Errorf("first piece %q, want %q", got, want)
	}
	if got := strings.Join(pieces, ""); got != o.Answer("open the door please") {
		t.Errorf("pieces join to %q, want the whole answer", got)
	}
	if _, err := r.Next(context.Background()); !errors.Is(err, io.EOF) {
		t.Errorf("Next after the end: %v, want io.EOF", err)
	}
}

func TestOfflineCancellation(t *testing.T) {
	o := newOffline()
	history := []llm.Message{{Role: llm.RoleUser, Content: "what can you do"}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := o.Respond(ctx, history); !errors.Is(err, context.Canceled) {
		t.Errorf("Respond on a cancelled ctx: %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	r, err := o.Respond(ctx, history)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(ctx); err != nil {
		t.Fatalf("first piece: %v", err)
	}
	cancel()
	if _, err := r.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Next after cancel: %v, want context.Canceled", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := r.Next(context.Background()); !errors.Is(err, llm.ErrReplyClosed) {
		t.Errorf("Next after Close: %v, want ErrReplyClosed", err)
	}
}

func TestOfflineDefaultClock(t *testing.T) {
	o := llm.NewOffline(llm.OfflineOptions{})
	if o.Name() != "offline" {
		t.Errorf("Name = %q", o.Name())
	}
	if got := o.Answer("what time is it"); !strings.HasPrefix(got, "It's ") {
		t.Errorf("time answer %q", got)
	}
}
