package e2e

import (
	"errors"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"parley/internal/testenv"
	"parley/pipeline"
)

// exitCode returns the status parley exited with; -1 when a signal killed it.
func exitCode(t *testing.T, err error) int {
	t.Helper()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	t.Fatalf("parley: %v", err)
	return 0
}

// longReply is the reply the signal tests cut.
const longReply = "Okay. Here is a long answer that goes on for a while. It has many sentences in it. " +
	"Each sentence takes a few seconds to say. You can interrupt me at any time. This is the last one."

// cutReply starts parley answering a question from a file with
// longReply, sends sig while the first sentence plays, and returns parley
// ended, with its exit status.
func cutReply(t *testing.T, sig syscall.Signal) (*proc, int) {
	t.Helper()
	srv := newChatServer(t, 0, 0, longReply)
	wav := flite(t, "kal16", t.TempDir(), "q", "what can you do")
	p := start(t, "--headless", "--config", llmConfig(t, srv.URL(), ""), "--input", wav, "--fast", "--output-device", "spk")
	p.waitFor(t, 60*time.Second, "answer:")
	time.Sleep(time.Second) // the first sentence is being played
	_ = p.cmd.Process.Signal(sig)
	return p, exitCode(t, p.wait(t, 30*time.Second))
}

// checkCutAndFlushed checks a reply a signal cut: reported interrupted
// with the part played, its metrics saying interrupted=true, and every
// event of the conversation log on stdout.
func checkCutAndFlushed(t *testing.T, p *proc) {
	t.Helper()
	if got := p.linesWith("interrupted: "); len(got) != 1 || !strings.HasPrefix(longReply, got[0]) {
		t.Errorf("interrupted lines %q, want one with the part played", got)
	}
	if m := p.linesWith("metrics: "); len(m) != 1 || !slices.Contains(strings.Fields(m[0]), "interrupted=true") {
		t.Errorf("metrics %q, want the cut turn marked interrupted=true", m)
	}
	var logged, printed []string
	for _, ev := range readLogs(t, p.home) {
		if line := ev.Line(); line != "" && ev.Kind != pipeline.KindPartial {
			logged = append(logged, line)
		}
	}
	for _, line := range p.output() {
		if !strings.HasPrefix(line, "partial: ") {
			printed = append(printed, line)
		}
	}
	if strings.Join(printed, "\n") != strings.Join(logged, "\n") {
		t.Errorf("stdout:\n%s\nwant every logged event:\n%s", strings.Join(printed, "\n"), strings.Join(logged, "\n"))
	}
}

// TestSIGHUPEndsLikeSIGTERM: SIGHUP (what a dropped SSH session sends)
// while parley answers a file: the reply is reported cut, every logged
// event is on stdout, and parley exits 129, the documented status of a
// file cut short by SIGHUP, saying so.
func TestSIGHUPEndsLikeSIGTERM(t *testing.T) {
	testenv.Pulse(t)
	p, code := cutReply(t, syscall.SIGHUP)
	if code != 129 || !strings.Contains(p.stderr.String(), "stopped by SIGHUP before the end") {
		t.Errorf("exit %d, stderr %q; want 129 and why", code, p.stderr.String())
	}
	checkCutAndFlushed(t, p)
}

// TestExitStatus: a file cut short by SIGTERM exits 143; a microphone
// session ended by SIGINT (its normal end) exits 0.
func TestExitStatus(t *testing.T) {
	testenv.Pulse(t)
	if _, code := cutReply(t, syscall.SIGTERM); code != 143 {
		t.Errorf("--input cut by SIGTERM: exit %d, want 143", code)
	}
	p := start(t, "--headless", "--config", writeConfig(t, "[llm]\nengine = \"offline\"\n"))
	p.waitFor(t, 60*time.Second, "info: listening on")
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	if code := exitCode(t, p.wait(t, 30*time.Second)); code != 0 {
		t.Errorf("microphone session ended by SIGINT: exit %d, want 0; stderr:\n%s", code, p.stderr.String())
	}
}
