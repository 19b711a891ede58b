package bench

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Progress draws a progress bar: one line redrawn in place on a terminal,
// or one line per step elsewhere (logs, pipes).
type Progress struct {
	w       io.Writer
	tty     bool
	ascii   bool
	started time.Time
	drawn   bool
}

// NewProgress draws on w; tty says whether w is a terminal (redraw in
// place), ascii whether to avoid block characters.
func NewProgress(w io.Writer, tty, ascii bool) *Progress {
	return &Progress{w: w, tty: tty, ascii: ascii, started: time.Now()}
}

// Update shows done of total steps and what runs now; it matches
// Options.OnProgress.
func (p *Progress) Update(done, total int, label string) {
	if total <= 0 {
		return
	}
	elapsed := time.Since(p.started).Round(time.Second)
	if !p.tty {
		fmt.Fprintf(p.w, "bench [%d/%d] %s\n", done+1, total, label)
		return
	}
	const width = 24
	fill := width * min(done, total) / total
	full, empty := "█", "░"
	if p.ascii {
		full, empty = "#", "."
	}
	fmt.Fprintf(p.w, "\r\033[K%s%s %d/%d %s  %s", strings.Repeat(full, fill), strings.Repeat(empty, width-fill),
		done, total, elapsed, label)
	p.drawn = true
}

// Done ends the bar's line.
func (p *Progress) Done() {
	if p.tty && p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
