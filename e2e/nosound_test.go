package e2e

import (
	"strings"
	"testing"
	"time"

	"parley/internal/testenv"
)

// noServer is a PULSE_SERVER where nothing listens.
const noServer = "unix:/nonexistent/native"

// TestInputWithoutASoundServer: with --input (or typed turns) and no sound
// server the missing speaker is a notice, and the reply is still
// synthesised, played to the null device and reported said. On the
// microphone the error says what was tried and the fix.
func TestInputWithoutASoundServer(t *testing.T) {
	testenv.Command(t, "flite")
	wav := flite(t, "kal16", t.TempDir(), "q", "what time is it")
	cfg := writeConfig(t, "[llm]\nengine = \"offline\"\n")
	env, home := isolatedEnv(t)
	env = append(env, "PULSE_SERVER="+noServer)
	p := startEnv(t, env, home, "--headless", "--config", cfg, "--fast", "--input", wav)
	if err := p.wait(t, 60*time.Second); err != nil {
		t.Fatalf("exit %v, want 0; stderr:\n%s", err, p.stderr.String())
	}
	out := strings.Join(p.output(), "\n")
	wantAll(t, out, "info: no audio output, so replies play to the null device", "PulseAudio at "+noServer, "heard: ", "answer: ", "said: ")

	p = startTyped(t, env, home, strings.NewReader("what time is it\n"), "--headless", "--config", cfg)
	if err := p.wait(t, 60*time.Second); err != nil {
		t.Fatalf("typed turns: exit %v, want 0; stderr:\n%s", err, p.stderr.String())
	}
	wantAll(t, strings.Join(p.output(), "\n"), "info: no audio output, so replies play to the null device", "answer: ", "said: ")

	p = startEnv(t, env, home, "--headless", "--config", cfg)
	if err := p.wait(t, 60*time.Second); err == nil {
		t.Fatal("parley ran on a microphone without a sound server")
	}
	wantAll(t, p.stderr.String(), "audio input", "PulseAudio at "+noServer+": refused", "Fix: ")
}
