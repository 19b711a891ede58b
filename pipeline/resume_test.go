package pipeline

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"parley/pipeline/llm"
)

// writeLog writes events to a new log in dir named after at.
func writeLog(t *testing.T, dir string, at time.Time, evs ...Event) string {
	t.Helper()
	l, err := OpenLog(dir, at)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if err := l.Write(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return l.Path()
}

func TestLastConversation(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	writeLog(t, dir, t0, Event{Kind: KindHeard, Turn: 1, Text: "old question"})
	want := writeLog(t, dir, t0.Add(time.Hour),
		Event{Kind: KindInfo, Fact: "llm", Text: "LLM offline", Detail: "dial tcp: refused"},
		Event{Kind: KindHeard, Turn: 1, Text: "what time is it"},
		Event{Kind: KindAnswerDelta, Turn: 1, Text: "It is "},
		Event{Kind: KindAnswer, Turn: 1, Text: "It is noon."},
		Event{Kind: KindSaid, Turn: 1, Text: "It is noon."},
		Event{Kind: KindHeard, Turn: 2, Text: "tell me a story"},
		Event{Kind: KindInterrupted, Turn: 2, Text: "Once upon a time"},
		Event{Kind: KindHeard, Turn: 3, Text: "and the date?"},
		Event{Kind: KindError, Turn: 3, Text: "llm: timeout"},
	)
	// The new session's log, opened before --continue reads: no turn yet.
	writeLog(t, dir, t0.Add(2*time.Hour), Event{Kind: KindInfo, Text: "listening"})

	c, err := LastConversation(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Path != want {
		t.Fatalf("path %s, want %s", c.Path, want)
	}
	wantTurns := []Turn{
		{ID: 1, User: "what time is it", Answer: "It is noon."},
		{ID: 2, User: "tell me a story", Answer: "Once upon a time", Interrupted: true},
		{ID: 3, User: "and the date?"},
	}
	if !slices.Equal(c.Turns, wantTurns) {
		t.Fatalf("turns %+v\nwant %+v", c.Turns, wantTurns)
	}
}

func TestLastConversationNone(t *testing.T) {
	if _, err := LastConversation(t.TempDir()); !errors.Is(err, ErrNoConversation) {
		t.Fatalf("err = %v, want ErrNoConversation", err)
	}
}

func TestReadTurnsBadLines(t *testing.T) {
	dir := t.TempDir()
	path := writeLog(t, dir, time.Now(), Event{Kind: KindHeard, Turn: 1, Text: "hi"})
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(`{"kind":"answer","turn":1,"te`) // cut short by a crash
	_ = f.Close()
	turns, err := ReadTurns(path)
	if err != nil || len(turns) != 1 || turns[0].Answer != "" {
		t.Fatalf("cut last line: turns %+v, err %v", turns, err)
	}
	if err := os.WriteFile(path, []byte("{\"kind\":\"heard\"}\nnot json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadTurns(path); err == nil || !strings.Contains(err.Error(), path+" line 2") {
		t.Fatalf("bad line: err = %v, want the file and line 2", err)
	}
}

func TestHistoryWithinBudget(t *testing.T) {
	turns := []Turn{
		{User: strings.Repeat("a", 50), Answer: strings.Repeat("b", 50)},
		{User: "q2", Answer: "said so far", Interrupted: true},
		{User: "q3"},
	}
	got := History(turns, 30)
	want := []llm.Message{
		{Role: llm.RoleUser, Content: "q2"},
		{Role: llm.RoleAssistant, Content: "said so far", Interrupted: true},
		{Role: llm.RoleUser, Content: "q3"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if n := len(History(turns, 1000)); n != 5 {
		t.Fatalf("all turns fit: %d messages, want 5", n)
	}
}

// TestWriteTurnsChains: turns written into a new log read back the same,
// and the new session's own turns (ids restarting at 1) follow them.
func TestWriteTurnsChains(t *testing.T) {
	dir := t.TempDir()
	old := []Turn{
		{ID: 1, User: "what time is it", Answer: "It is noon."},
		{ID: 2, User: "tell me a story", Answer: "Once upon", Interrupted: true},
		{ID: 3, User: "and the date?"},
	}
	l, err := OpenLog(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := l.WriteTurns(old, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, ev := range []Event{{Kind: KindHeard, Turn: 1, Text: "new question"}, {Kind: KindAnswer, Turn: 1, Text: "New answer."}} {
		if err := l.Write(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTurns(l.Path())
	if err != nil {
		t.Fatal(err)
	}
	want := append(slices.Clone(old), Turn{ID: 1, User: "new question", Answer: "New answer."})
	if !slices.Equal(got, want) {
		t.Fatalf("turns %+v\nwant %+v", got, want)
	}
}
