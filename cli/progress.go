package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// Progress draws the progress of a long command on w (stderr): on a
// terminal one line redrawn in place, elsewhere (logs, pipes) a line per
// tenth of an amount or per step.
type Progress struct {
	w       io.Writer
	label   string
	opts    ProgressOptions
	tty     bool
	started time.Time
	last    int // last tenth (or step) written off a terminal; -1 before any
	drawn   bool
}

// ProgressOptions tune a Progress.
type ProgressOptions struct {
	// Unit formats the amounts of Update beside the bar (e.g. megabytes);
	// nil shows none.
	Unit func(int64) string
	// Unicode draws the bar with block characters instead of # and .
	Unicode bool
}

// progressWidth is the bar's width in characters.
const progressWidth = 24

// NewProgress draws on w under label.
func NewProgress(w io.Writer, label string, opts ProgressOptions) *Progress {
	return &Progress{w: w, label: label, opts: opts, tty: IsTerminal(w), started: time.Now(), last: -1}
}

// Update shows an amount: done of total (bytes, samples).
func (p *Progress) Update(done, total int64) {
	if total <= 0 {
		return
	}
	pct := int(min(done, total) * 100 / total)
	if !p.tty {
		if tenth := pct / 10; tenth > p.last {
			fmt.Fprintf(p.w, "%s: %d%%\n", p.label, tenth*10)
			p.last = tenth
		}
		return
	}
	detail := ""
	if p.opts.Unit != nil {
		detail = p.opts.Unit(done) + " / " + p.opts.Unit(total)
	}
	p.draw(pct, detail)
}

// Step shows that step done of total begins, doing what; it matches the
// bench package's OnProgress.
func (p *Progress) Step(done, total int, what string) {
	if total <= 0 {
		return
	}
	if !p.tty {
		if done > p.last {
			fmt.Fprintf(p.w, "%s [%d/%d] %s\n", p.label, done+1, total, what)
			p.last = done
		}
		return
	}
	elapsed := time.Since(p.started).Round(time.Second)
	p.draw(min(done, total)*100/total, fmt.Sprintf("%d/%d %s  %s", done, total, elapsed, what))
}

// draw redraws the bar's line at pct percent.
func (p *Progress) draw(pct int, detail string) {
	full, empty := "#", "."
	if p.opts.Unicode {
		full, empty = "█", "░"
	}
	fill := progressWidth * pct / 100
	fmt.Fprintf(p.w, "\r\033[K%s [%s%s] %3d%%  %s", p.label, strings.Repeat(full, fill),
		strings.Repeat(empty, progressWidth-fill), pct, detail)
	p.drawn = true
}

// Done ends the bar's line on a terminal.
func (p *Progress) Done() {
	if p.tty && p.drawn {
		fmt.Fprintln(p.w)
	}
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
