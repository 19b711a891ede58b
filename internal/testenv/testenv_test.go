package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestPulseIsPrivateAndRestarts(t *testing.T) {
	server := Pulse(t)
	if !strings.Contains(server, "parley-pulse-test-") {
		t.Fatalf("PULSE_SERVER %q is not this process's private server", server)
	}
	out, err := exec.Command("pactl", "list", "short", "sources").Output()
	if err != nil || !strings.Contains(string(out), "virtmic") {
		t.Fatalf("no virtual mic on %s: %v\n%s", server, err, out)
	}
	stop := exec.Command("bash", pulseScript(), "stop")
	stop.Env = append(os.Environ(), "PARLEY_PULSE_DIR="+pulse.dir)
	if err := stop.Run(); err != nil {
		t.Fatal(err)
	}
	if exec.Command("pactl", "info").Run() == nil {
		t.Fatal("server still answers after stop")
	}
	if again := Pulse(t); again != server {
		t.Errorf("restart moved the server: %q -> %q", server, again)
	}
	if err := exec.Command("pactl", "info").Run(); err != nil {
		t.Errorf("server not back after a stop: %v", err)
	}
}
