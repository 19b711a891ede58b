package e2e

import (
	"strings"
	"testing"
	"time"

	"parley/internal/testenv"
)

// TestReplyBoundsFromTheConfig: [conversation] max_spoken_chars reaches
// the pipeline: past the limit nothing more of the reply is said (the
// note is spoken instead, and is no part of the reply), the rest is only
// shown.
func TestReplyBoundsFromTheConfig(t *testing.T) {
	testenv.Pulse(t)
	reply := "This first sentence is long enough to count. The second sentence is long enough as well. " +
		"A third sentence would pass the limit now. Fourth is last."
	srv := newChatServer(t, 0, 0, reply)
	wav := flite(t, "kal16", t.TempDir(), "q", "what can you do")
	cfg := llmConfig(t, srv.URL(), "[conversation]\nmax_spoken_chars = 100\nmore_note = \"The rest is on screen.\"\n")
	p := start(t, "--headless", "--config", cfg, "--input", wav, "--fast", "--output-device", "spk")
	if err := p.wait(t, 120*time.Second); err != nil {
		t.Fatalf("parley: %v\n%s", err, p.stderr.String())
	}
	said := strings.Join(p.linesWith("said: "), " ")
	if said != "This first sentence is long enough to count. The second sentence is long enough as well." {
		t.Errorf("said %q; want the sentences within 100 characters only", said)
	}
	if answers := p.linesWith("answer: "); len(answers) != 1 || answers[0] != reply {
		t.Errorf("answers %q, want the whole reply shown", answers)
	}
}
