package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func TestProgressLinesOffATerminal(t *testing.T) {
	var buf bytes.Buffer
	bar := NewProgress(&buf, "m", ProgressOptions{Unit: megabytes})
	for done := int64(0); done <= 1000; done += 7 {
		bar.Update(done, 1000)
	}
	bar.Update(1000, 1000)
	bar.Done()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 11 || lines[0] != "m: 0%" || lines[10] != "m: 100%" {
		t.Errorf("lines %q", lines)
	}
	buf.Reset()
	steps := NewProgress(&buf, "bench", ProgressOptions{})
	steps.Step(0, 2, "silero/cpu batch 1")
	steps.Step(0, 2, "silero/cpu batch 1") // the same step again: no line
	steps.Step(1, 2, "silero/cpu batch 4")
	steps.Done()
	if buf.String() != "bench [1/2] silero/cpu batch 1\nbench [2/2] silero/cpu batch 4\n" {
		t.Errorf("step lines %q", buf.String())
	}
}

func TestProgressRedrawsOnATerminal(t *testing.T) {
	var buf bytes.Buffer
	bar := &Progress{w: &buf, label: "m", opts: ProgressOptions{Unit: megabytes}, tty: true, last: -1}
	bar.Update(500_000, 1_000_000)
	bar.Update(1_000_000, 1_000_000)
	bar.Done()
	want := "\r\033[Km [############............]  50%  0.5 MB / 1.0 MB" +
		"\r\033[Km [########################] 100%  1.0 MB / 1.0 MB\n"
	if buf.String() != want {
		t.Errorf("got  %q\nwant %q", buf.String(), want)
	}
	buf.Reset()
	steps := &Progress{w: &buf, label: "bench", opts: ProgressOptions{Unicode: true}, tty: true, last: -1, started: time.Now()}
	steps.Step(1, 2, "x")
	if !strings.Contains(buf.String(), "bench [████████████░░░░░░░░░░░░]  50%  1/2 0s  x") {
		t.Errorf("tty steps %q", buf.String())
	}
}
