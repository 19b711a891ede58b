package e2e

import (
	"strings"
	"testing"
	"time"

	"parley/internal/testenv"
)

// TestGlobalFlagsBeforeTheCommand: --config works before the subcommand
// as after it.
func TestGlobalFlagsBeforeTheCommand(t *testing.T) {
	testenv.Pulse(t)
	cfg := writeConfig(t, "[llm]\nengine = \"offline\"\n")
	for _, args := range [][]string{{"--config", cfg, "doctor"}, {"doctor", "--config", cfg}, {"--config=" + cfg, "devices"}} {
		out, stderr, ok := runParley(t, args...)
		if !ok || !(strings.Contains(out, "user file: "+cfg) || strings.Contains(out, "Audio backend:")) {
			t.Errorf("parley %q failed:\n%s\n%s", args, out, stderr)
		}
	}
}

// TestUsageErrorsExit2: every command line parley cannot parse exits 2.
func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{{"frobnicate"}, {"--nosuchflag"}, {"doctor", "stray"}, {"transcribe"}, {"models"},
		{"--headless", "doctor"}, {"--json"}, {"bench", "--models", "foo"}, {"devices", "--frobnicate"},
		{"models", "pull"}, {"models", "frobnicate"}, {"models", "list", "extra"}} {
		p := start(t, args...)
		if code := exitCode(t, p.wait(t, 60*time.Second)); code != 2 {
			t.Errorf("parley %q: exit %d, want 2; stderr:\n%s", args, code, p.stderr.String())
		}
	}
}

// TestHelpListsEveryCommand: --help names every subcommand, one line
// each, and documents the exit status.
func TestHelpListsEveryCommand(t *testing.T) {
	p := start(t, "--help")
	if code := exitCode(t, p.wait(t, 60*time.Second)); code != 0 {
		t.Fatalf("--help: exit %d", code)
	}
	help := p.stderr.String()
	for _, cmd := range []string{"devices", "doctor", "transcribe", "models", "bench"} {
		found := false
		for _, line := range strings.Split(help, "\n") {
			fields := strings.Fields(line)
			found = found || (len(fields) > 2 && fields[0] == cmd)
		}
		if !found {
			t.Errorf("--help has no line for %s:\n%s", cmd, help)
		}
	}
	wantAll(t, help, "Exit status:", "128+N", "129 SIGHUP", "--config")
}
