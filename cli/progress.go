package cli

import (
	"fmt"
	"io"
	"strings"
)

// ProgressBar draws progress on w: one redrawn bar on a terminal, a line
// per 10% otherwise (logs and pipes).
type ProgressBar struct {
	w     io.Writer
	label string
	unit  func(int64) string
	tty   bool
	last  int // last percentage shown; -1 before the first
}

// NewProgressBar draws on w; unit, if not nil, formats the amounts shown
// beside the bar on a terminal.
func NewProgressBar(w io.Writer, label string, unit func(int64) string) *ProgressBar {
	return &ProgressBar{w: w, label: label, unit: unit, tty: IsTerminal(w), last: -1}
}

// Update shows done of total.
func (b *ProgressBar) Update(done, total int64) {
	if total <= 0 {
		return
	}
	pct := int(min(done, total) * 100 / total)
	if !b.tty {
		if step := pct / 10 * 10; step > b.last {
			fmt.Fprintf(b.w, "%s: %d%%\n", b.label, step)
			b.last = step
		}
		return
	}
	if pct == b.last {
		return
	}
	const width = 30
	fill := width * pct / 100
	detail := ""
	if b.unit != nil {
		detail = b.unit(done) + " / " + b.unit(total)
	}
	fmt.Fprintf(b.w, "\r%s [%s%s] %3d%%  %s ", b.label, strings.Repeat("#", fill), strings.Repeat(".", width-fill), pct, detail)
	b.last = pct
}

// Done ends the bar's line on a terminal.
func (b *ProgressBar) Done() {
	if b.tty && b.last >= 0 {
		fmt.Fprintln(b.w)
	}
}
