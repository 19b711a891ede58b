package cli

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"syscall"
	"testing"
)

func TestSplitCommand(t *testing.T) {
	takesValue := func(name string) bool { return name == "config" || name == "input" }
	cases := []struct {
		args []string
		name string
		rest []string
	}{
		{[]string{"--config", "f.toml", "doctor"}, "doctor", []string{"--config", "f.toml"}},
		{[]string{"doctor", "--config", "f.toml"}, "doctor", []string{"--config", "f.toml"}},
		{[]string{"--config=f.toml", "transcribe", "a.wav"}, "transcribe", []string{"--config=f.toml", "a.wav"}},
		{[]string{"--input", "doctor", "--headless"}, "", []string{"--input", "doctor", "--headless"}},
		{[]string{"--headless", "--json"}, "", []string{"--headless", "--json"}},
		{[]string{"--headless", "stray"}, "stray", []string{"--headless"}},
		{[]string{"--", "doctor"}, "", []string{"--", "doctor"}},
		{nil, "", nil},
	}
	for _, tc := range cases {
		name, rest := SplitCommand(tc.args, takesValue)
		if name != tc.name || !slices.Equal(rest, tc.rest) {
			t.Errorf("SplitCommand(%q) = %q %q, want %q %q", tc.args, name, rest, tc.name, tc.rest)
		}
	}
}

// TestExitAfterASignal: a command's error after a stop signal exits
// 128+N and says which signal; without one the status is 1.
func TestExitAfterASignal(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	failed := errors.New("transcribe a.wav: context canceled")
	var stderr bytes.Buffer
	if code := Exit(Interrupted(ctx, failed), &stderr); code != 1 {
		t.Errorf("no signal: exit %d, want 1", code)
	}
	cancel(SignalError{Signal: syscall.SIGHUP})
	stderr.Reset()
	if code := Exit(Interrupted(ctx, failed), &stderr); code != 129 || stderr.String() != "parley: stopped by SIGHUP before the end: transcribe a.wav: context canceled\n" {
		t.Errorf("SIGHUP: exit %d, %q", code, stderr.String())
	}
	if code := Exit(Interrupted(ctx, nil), &stderr); code != 0 {
		t.Errorf("a command that finished: exit %d, want 0", code)
	}
	if s, ok := StoppedBy(ctx); !ok || s.ExitCode() != 129 {
		t.Errorf("StoppedBy: %v %v", s, ok)
	}
}
