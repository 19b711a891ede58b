package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley/internal/testenv"
)

// tmuxSession runs the real parley TUI in a private tmux server.
type tmuxSession struct {
	t    *testing.T
	sock string
	home string // parley's HOME; its state folder is home/state/parley
}

// startTUI runs parley on the virtual microphone and speaker in a w x h
// terminal; args replace those device flags.
func startTUI(t *testing.T, w, h int, args ...string) *tmuxSession {
	t.Helper()
	env, home := isolatedEnv(t)
	return startTUIIn(t, env, home, w, h, args...)
}

// startTUIIn is startTUI with parley's environment and HOME given.
func startTUIIn(t *testing.T, env []string, home string, w, h int, args ...string) *tmuxSession {
	t.Helper()
	testenv.Command(t, "tmux")
	s := &tmuxSession{t: t, sock: filepath.Join(home, "tmux.sock"), home: home}
	if len(args) == 0 {
		args = []string{"--input-device", "virtmic", "--output-device", "spk"}
	}
	tmuxArgs := []string{"-S", s.sock, "new-session", "-d", "-x", itoa(w), "-y", itoa(h), "-c", home}
	for _, kv := range env {
		if strings.HasPrefix(kv, "PULSE_") || strings.HasPrefix(kv, "XDG_") || strings.HasPrefix(kv, "HOME=") {
			tmuxArgs = append(tmuxArgs, "-e", kv)
		}
	}
	tmuxArgs = append(tmuxArgs, parleyBin+" "+strings.Join(args, " "))
	cmd := exec.Command("tmux", tmuxArgs...)
	cmd.Env = append(withoutEnv(os.Environ(), "CI", "TERM"), "TERM=xterm-256color")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", s.sock, "kill-server").Run() })
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }

// screen returns what the terminal shows now.
func (s *tmuxSession) screen() string {
	out, err := exec.Command("tmux", "-S", s.sock, "capture-pane", "-p").Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// waitScreen waits until every want is on the screen and returns it.
func (s *tmuxSession) waitScreen(timeout time.Duration, want ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		scr := s.screen()
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(scr, w)
		}
		if ok {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("screen never showed %q; last screen:\n%s", want, scr)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	args := append([]string{"-S", s.sock, "send-keys"}, keys...)
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		s.t.Fatalf("send-keys: %v\n%s", err, out)
	}
}

func (s *tmuxSession) resize(w, h int) {
	s.t.Helper()
	if out, err := exec.Command("tmux", "-S", s.sock, "resize-window", "-x", itoa(w), "-y", itoa(h)).CombinedOutput(); err != nil {
		s.t.Fatalf("resize-window: %v\n%s", err, out)
	}
}

// saveScreen writes a capture under $PARLEY_SCREENS_DIR (docs/screens).
func saveScreen(t *testing.T, name, screen string) {
	dir := os.Getenv("PARLEY_SCREENS_DIR")
	if dir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".txt"), []byte(screen), 0o644); err != nil {
		t.Errorf("save screen %s: %v", name, err)
	}
}

// TestTUIOnVirtualDevices speaks into the running TUI and reads transcript
// and answer off the real terminal; toggles the ASR device without a GPU;
// resizes; quits.
func TestTUIOnVirtualDevices(t *testing.T) {
	testenv.Pulse(t)
	s := startTUI(t, 120, 40)
	saveScreen(t, "idle-120x40", s.waitScreen(30*time.Second, "listening on", "no GPU"))
	speakIntoMic(t, flite(t, "kal16", t.TempDir(), "q", "what time is it"))
	scr := s.waitScreen(30*time.Second, "what time is it", "It's")
	saveScreen(t, "conversation-120x40", scr)
	for _, noise := range []string{"ALSA lib", "Warning: Couldn", "INFO: ", "ERROR: ", "onnxruntime:"} {
		if strings.Contains(scr, noise) {
			t.Errorf("a library printed into the TUI (%q):\n%s", noise, scr)
		}
	}
	s.keys("a")
	saveScreen(t, "asr-toggle-refused-120x40", s.waitScreen(10*time.Second, "asr device: no GPU: NVML"))
	s.resize(80, 24)
	scr = s.waitScreen(10*time.Second, "what time is it")
	saveScreen(t, "compact-80x24", scr)
	if lines := strings.Split(strings.TrimRight(scr, "\n"), "\n"); len(lines) > 24 || len(lines[0]) > 80*4 {
		t.Errorf("layout did not follow the resize to 80x24:\n%s", scr)
	}
	s.keys("?")
	saveScreen(t, "help-80x24", s.waitScreen(10*time.Second, "quit"))
	s.keys("Escape")
	s.keys("q")
	deadline := time.Now().Add(10 * time.Second)
	for exec.Command("tmux", "-S", s.sock, "has-session").Run() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("parley did not quit on q:\n%s", s.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
