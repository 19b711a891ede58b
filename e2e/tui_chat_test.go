package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/internal/testenv"
)

// codeReply is the test server's answer: a fenced Go block and a line.
const codeReply = "Here is the program:\n\n```go\npackage main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hello from parley\")\n}\n```\n\nRun it with go run.\n"

// tmux runs a tmux command on the session's server.
func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", s.sock}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// screenANSI is the screen with its colours (capture-pane -e).
func (s *tmuxSession) screenANSI() string {
	return s.tmux("capture-pane", "-p", "-e")
}

// quit presses q and waits for parley to exit.
func (s *tmuxSession) quit() {
	s.t.Helper()
	s.keys("q")
	deadline := time.Now().Add(15 * time.Second)
	for exec.Command("tmux", "-S", s.sock, "has-session").Run() == nil {
		if time.Now().After(deadline) {
			s.t.Fatalf("parley did not quit on q:\n%s", s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pick moves the open picker's cursor (▸) to the first row holding want
// and presses Enter.
func (s *tmuxSession) pick(want string) {
	s.t.Helper()
	for range 20 {
		cursor, target := -1, -1
		for i, line := range strings.Split(s.screen(), "\n") {
			if strings.Contains(line, "▸ ") && !strings.Contains(line, "─") {
				cursor = i
			}
			if target < 0 && strings.Contains(line, want) {
				target = i
			}
		}
		switch {
		case cursor < 0 || target < 0:
		case cursor == target:
			s.keys("Enter")
			return
		case cursor < target:
			s.keys("Down")
		default:
			s.keys("Up")
		}
		time.Sleep(150 * time.Millisecond)
	}
	s.t.Fatalf("no row %q in the picker:\n%s", want, s.screen())
}

// escape presses Esc and waits until the picker or input it closes has
// gone, so that the next key is not read as Alt+key.
func (s *tmuxSession) escape() {
	s.t.Helper()
	s.keys("Escape")
	deadline := time.Now().Add(10 * time.Second)
	for strings.Contains(s.screen(), "esc cancel") {
		if time.Now().After(deadline) {
			s.t.Fatalf("Esc did not close:\n%s", s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// saveANSI writes a coloured capture next to saveScreen's.
func saveANSI(t *testing.T, name, screen string) {
	if dir := os.Getenv("PARLEY_SCREENS_DIR"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name+".ansi"), []byte(screen), 0o644); err != nil {
			t.Errorf("save screen %s: %v", name, err)
		}
	}
}

// TestTUIFirstScreen: with no GPU and no LLM server, the first screen is
// one line per fact, each with its fix, and the first-turn hint.
func TestTUIFirstScreen(t *testing.T) {
	testenv.Pulse(t)
	s := startTUI(t, 120, 40)
	scr := s.waitScreen(30*time.Second, "LLM offline: start Ollama", "listening on", "to type")
	saveScreen(t, "first-screen-120x40", scr)
	for _, noise := range []string{"dial tcp", "connection refused", "OrtSessionOptions", "because"} {
		if strings.Contains(scr, noise) {
			t.Errorf("the first screen shows a long text (%q):\n%s", noise, scr)
		}
	}
	s.resize(80, 24)
	saveScreen(t, "first-screen-80x24", s.waitScreen(10*time.Second, "LLM offline", "to type"))
	s.quit()
}

// TestTUITypeCopyPick drives the real binary in tmux against an
// OpenAI-protocol server that answers with a fenced Go block: a pasted
// two-line question is typed and sent; the answer shows as a highlighted
// block without fences; y puts the code in tmux's paste buffer; l picks
// the next turn's model; d moves listening to the silent source and back
// to virtmic, where a spoken question is heard; the microphone is
// remembered, the model (which the config file pins) is not.
func TestTUITypeCopyPick(t *testing.T) {
	testenv.Pulse(t)
	srv := newChatServer(t, 0, 5*time.Millisecond, codeReply)
	s := startTUI(t, 120, 40, "--config", llmConfig(t, srv.URL(), ""), "--output-device", "spk")
	s.tmux("set-option", "-s", "set-clipboard", "on")
	s.waitScreen(30*time.Second, "listening on", "to type")
	typeQuestion(t, s, srv)
	copyCode(t, s)
	s.keys("l")
	saveScreen(t, "model-picker-120x40", s.waitScreen(10*time.Second, "test-model-large", "(in use)"))
	s.pick("test-model-large")
	s.waitScreen(10*time.Second, "model test-model-large answers from the next turn", "model for this run only: llm.model in")
	switchMic(s, "silence")
	switchMic(s, "virtmic")
	s.keys("d")
	scr := s.waitScreen(10*time.Second, "virtmic", "(in use)")
	saveScreen(t, "device-picker-120x40", scr)
	if !hasLine(scr, "virtmic", "(in use)") {
		t.Errorf("virtmic is not marked in use:\n%s", scr)
	}
	s.escape()
	askAloud(t, s, srv)
	s.quit()
	checkRemembered(t, s.home, "virtmic", "") // llm.model is pinned: the test's config file sets it
}

// typeQuestion pastes a two-line question into the text input and sends
// it; the answer's code block shows highlighted, without fences.
func typeQuestion(t *testing.T, s *tmuxSession, srv *chatServer) {
	t.Helper()
	s.keys("i")
	s.waitScreen(10*time.Second, "enter send")
	s.tmux("set-buffer", "show me hello world in Go\nwith a main function")
	s.tmux("paste-buffer", "-p", "-d")
	saveScreen(t, "typing-paste-120x40", s.waitScreen(10*time.Second, "with a main function"))
	s.keys("Enter")
	scr := s.waitScreen(30*time.Second, `fmt.Println("hello from parley")`, "Run it with go run")
	saveScreen(t, "answer-120x40", scr)
	colours := s.screenANSI()
	saveANSI(t, "answer-120x40", colours)
	checkHighlighted(t, scr, colours)
	if q := srv.received(); len(q) != 1 || q[0].Messages[len(q[0].Messages)-1].Content != "show me hello world in Go\nwith a main function" {
		t.Errorf("the typed turn reached the server as %+v", q)
	}
}

// copyCode copies the last code block with y (into tmux's paste buffer)
// and opens the code block picker with Y.
func copyCode(t *testing.T, s *tmuxSession) {
	t.Helper()
	s.keys("y")
	s.waitScreen(10*time.Second, "copied 7 lines (code block)")
	if buf := s.tmux("show-buffer"); !strings.Contains(buf, "func main() {\n\tfmt.Println(\"hello from parley\")\n}") || strings.Contains(buf, "```") {
		t.Errorf("tmux paste buffer %q, want the code without fences", buf)
	}
	s.keys("Y")
	saveScreen(t, "copy-picker-120x40", s.waitScreen(10*time.Second, "1. go, 7 lines"))
	s.escape()
}

// askAloud speaks a question into virtmic once parley is quiet; it is
// heard, and asked of the model picked.
func askAloud(t *testing.T, s *tmuxSession, srv *chatServer) {
	t.Helper()
	s.waitScreen(60*time.Second, "listening ·") // parley hears nothing while it speaks the answer
	speakIntoMic(t, flite(t, "kal16", t.TempDir(), "q", "what time is it"))
	s.waitScreen(45*time.Second, "what time is it")
	deadline := time.Now().Add(30 * time.Second)
	for len(srv.received()) < 2 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if q := srv.received(); len(q) < 2 || q[1].Model != "test-model-large" {
		t.Errorf("the spoken turn after the model pick asked %+v, want test-model-large", q)
	}
}

// hasLine reports whether one line of screen holds every want.
func hasLine(screen string, want ...string) bool {
	for _, line := range strings.Split(screen, "\n") {
		all := true
		for _, w := range want {
			all = all && strings.Contains(line, w)
		}
		if all {
			return true
		}
	}
	return false
}

// switchMic picks the capture device id in the device picker.
func switchMic(s *tmuxSession, id string) {
	s.t.Helper()
	s.keys("d")
	s.waitScreen(10*time.Second, "capture (microphone)", id)
	s.pick(id)
	s.waitScreen(15*time.Second, "capture now on")
}

// checkHighlighted: the code shows without its fences, and its line
// carries colours.
func checkHighlighted(t *testing.T, plain, colours string) {
	t.Helper()
	if strings.Contains(plain, "```") {
		t.Errorf("fences on screen:\n%s", plain)
	}
	for _, line := range strings.Split(colours, "\n") {
		if strings.Contains(line, "Println") {
			if strings.Count(line, "\x1b[") < 3 {
				t.Errorf("the code line is not highlighted: %q", line)
			}
			return
		}
	}
	t.Errorf("no code line in the coloured capture:\n%s", colours)
}

// checkRemembered reads the TUI's remembered choices.
func checkRemembered(t *testing.T, home, mic, model string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(home, "state", "parley", "ui-state.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Capture string `json:"capture_device"`
		Model   string `json:"llm_model"`
	}
	if err := json.Unmarshal(data, &p); err != nil || p.Capture != mic || p.Model != model {
		t.Errorf("remembered %s (%v), want microphone %s and model %s", data, err, mic, model)
	}
}
