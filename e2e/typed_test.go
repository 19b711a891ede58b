package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"parley/internal/testenv"
)

// TestHeadlessTypedTurns pipes two questions into `parley --headless`:
// each is a turn through the same pipeline (history, LLM server, spoken
// reply), no microphone opens, and parley exits by itself once both are
// answered and spoken. A second run with --continue sends the first run's
// turns as history, and a TUI with --continue shows both runs' turns.
func TestHeadlessTypedTurns(t *testing.T) {
	testenv.Pulse(t)
	srv := newChatServer(t, 0, 0, "It is noon.", "Tomorrow is Friday.", "You asked about the time.")
	cfg := llmConfig(t, srv.URL(), "")
	env, home := isolatedEnv(t)
	rec := record(t)
	p := startTyped(t, env, home, strings.NewReader("what time is it\n\nand tomorrow?\n"), "--headless", "--config", cfg, "--output-device", "spk")
	if err := p.wait(t, 90*time.Second); err != nil {
		t.Fatalf("parley did not end after the last typed turn: %v\n%s\n%s", err, strings.Join(p.output(), "\n"), p.stderr.String())
	}
	out := p.output()
	turns := filterPrefixed(out, "heard: ", "answer: ", "said: ")
	want := []string{"heard: what time is it", "answer: It is noon.", "said: It is noon.",
		"heard: and tomorrow?", "answer: Tomorrow is Friday.", "said: Tomorrow is Friday."}
	if !slices.Equal(turns, want) {
		t.Fatalf("turns %q\nwant %q\n%s", turns, want, strings.Join(out, "\n"))
	}
	if !slices.Contains(out, "info: answering the lines typed on standard input") {
		t.Errorf("no notice that stdin is the input (a microphone opened?):\n%s", strings.Join(out, "\n"))
	}
	reqs := srv.received()
	if len(reqs) != 2 || len(reqs[1].Messages) < 4 || reqs[1].Messages[len(reqs[1].Messages)-3].Content != "what time is it" {
		t.Errorf("the second request lacks the first turn as history: %+v", reqs)
	}
	if v := voicedSeconds(rec.stop(t)); v < 1 {
		t.Errorf("only %.1f s of speech from the speaker", v)
	}

	again := startTyped(t, env, home, strings.NewReader("what did I ask?\n"), "--headless", "--continue", "--config", cfg, "--output-device", "spk")
	if err := again.wait(t, 90*time.Second); err != nil {
		t.Fatalf("parley --continue: %v\n%s", err, again.stderr.String())
	}
	if !slices.ContainsFunc(again.output(), func(l string) bool { return strings.HasPrefix(l, "info: continuing the conversation of ") }) {
		t.Errorf("no notice of the conversation continued:\n%s", strings.Join(again.output(), "\n"))
	}
	reqs = srv.received()
	checkContinued(t, reqs[len(reqs)-1])

	s := startTUIIn(t, env, home, 120, 40, "--continue", "--config", cfg, "--output-device", "spk")
	s.waitScreen(30*time.Second, "what time is it", "It is noon.", "what did I ask?", "You asked about the time.")
	s.quit()
}

// checkContinued: the request after --continue carries the first run's
// turns as history.
func checkContinued(t *testing.T, req chatRequest) {
	t.Helper()
	var history []string
	for _, m := range req.Messages {
		history = append(history, m.Role+": "+m.Content)
	}
	wantHistory := []string{"user: what time is it", "assistant: It is noon.", "user: and tomorrow?", "assistant: Tomorrow is Friday.", "user: what did I ask?"}
	if len(history) < len(wantHistory) || !slices.Equal(history[len(history)-len(wantHistory):], wantHistory) {
		t.Errorf("--continue sent %q, want it to end with %q", history, wantHistory)
	}
}

// filterPrefixed keeps the lines that start with one of prefixes.
func filterPrefixed(lines []string, prefixes ...string) []string {
	var out []string
	for _, l := range lines {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				out = append(out, l)
				break
			}
		}
	}
	return out
}
