package e2e

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/pipeline"
)

// The harness's own tests run small shell programs in place of parley.

// fakeTB records a helper's failure instead of failing the test: its Fatal
// ends only the goroutine that runs the helper.
type fakeTB struct {
	testing.TB
	mu     sync.Mutex
	failed string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.failed = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTB) Fatal(args ...any) { f.Fatalf("%s", fmt.Sprint(args...)) }

// runHelper runs helper against a fakeTB and returns its failure ("" when
// none); a helper still running after limit fails the test.
func runHelper(t *testing.T, limit time.Duration, helper func(testing.TB)) string {
	t.Helper()
	tb := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		helper(tb)
	}()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("the helper was still running after %s", limit)
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return tb.failed
}

func startShell(t *testing.T, script string) *proc {
	t.Helper()
	return startProgram(t, os.Environ(), t.TempDir(), "sh", "-c", script)
}

// TestHarnessWaitEndsOnTimeWhenSIGINTIsIgnored: a process that ignores
// SIGINT must fail the wait at its timeout, not hang the run.
func TestHarnessWaitEndsOnTimeWhenSIGINTIsIgnored(t *testing.T) {
	p := startShell(t, "trap '' INT; echo ready; exec sleep 120")
	failure := runHelper(t, 30*time.Second, func(tb testing.TB) {
		p.waitFor(tb, 10*time.Second, "ready")
		_ = p.cmd.Process.Signal(os.Interrupt)
		_ = p.wait(tb, 2*time.Second)
	})
	if !strings.Contains(failure, "did not exit within 2s") {
		t.Errorf("wait on a process ignoring SIGINT: failure %q, want a timeout", failure)
	}
}

// TestHarnessReaderNeverBlocks: every line is kept while nobody waits for
// one, however many come.
func TestHarnessReaderNeverBlocks(t *testing.T) {
	p := startShell(t, "seq 5000")
	deadline := time.Now().Add(30 * time.Second)
	for len(p.output()) < 5000 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := len(p.output()); n != 5000 {
		t.Fatalf("kept %d lines of 5000 while no test read them", n)
	}
	if err := p.wait(t, 30*time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestHarnessStderrWhileWritten reads stderr while the process writes it
// (the race detector checks the access).
func TestHarnessStderrWhileWritten(t *testing.T) {
	p := startShell(t, "i=0; while [ $i -lt 300 ]; do echo err$i >&2; i=$((i+1)); done; echo done")
	for !strings.Contains(p.stderr.String(), "err299") {
		select {
		case <-p.done:
			if !strings.Contains(p.stderr.String(), "err299") {
				t.Fatalf("stderr lacks the last line:\n%s", p.stderr.String())
			}
		default:
		}
	}
	if err := p.wait(t, 30*time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestHarnessEventsInEitherOrder awaits two events in the order opposite
// to the one they came in: the first wait must not drop the other event.
func TestHarnessEventsInEitherOrder(t *testing.T) {
	p := startShell(t, `echo '{"kind":"interrupted","turn":1,"text":"Okay."}'; echo '{"kind":"info","text":"barge-in: speech"}'; exec sleep 60`)
	evs := jsonEvents(p)
	failure := runHelper(t, 30*time.Second, func(tb testing.TB) {
		waitEvent(tb, evs, 10*time.Second, func(e pipeline.Event) bool { return strings.HasPrefix(e.Text, "barge-in:") })
		cut := waitEvent(tb, evs, 2*time.Second, func(e pipeline.Event) bool { return e.Kind == pipeline.KindInterrupted })
		if cut.Text != "Okay." {
			tb.Fatalf("interrupted event %+v", cut)
		}
	})
	if failure != "" {
		t.Errorf("events in the other order: %s", failure)
	}
}
