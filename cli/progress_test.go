package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestProgressBarLinesOffATerminal(t *testing.T) {
	var buf bytes.Buffer
	bar := NewProgressBar(&buf, "m", func(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) })
	for done := int64(0); done <= 1000; done += 7 {
		bar.Update(done, 1000)
	}
	bar.Update(1000, 1000)
	bar.Done()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 11 || lines[0] != "m: 0%" || lines[10] != "m: 100%" {
		t.Errorf("lines %q", lines)
	}
}

func TestProgressBarRedrawsOnATerminal(t *testing.T) {
	var buf bytes.Buffer
	bar := &ProgressBar{w: &buf, label: "m", unit: func(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }, tty: true, last: -1}
	bar.Update(500_000, 1_000_000)
	bar.Update(500_001, 1_000_000) // same percentage: no redraw
	bar.Update(1_000_000, 1_000_000)
	bar.Done()
	want := "\rm [###############...............]  50%  0.5 MB / 1.0 MB " +
		"\rm [##############################] 100%  1.0 MB / 1.0 MB \n"
	if buf.String() != want {
		t.Errorf("got  %q\nwant %q", buf.String(), want)
	}
}
