package markdown

import (
	"strings"

	xansi "github.com/charmbracelet/x/ansi"
)

// trimRightSpace removes trailing spaces from a rendered line, keeping
// the escape sequences around them intact: glamour pads each line with
// styled spaces, which only cost the terminal work.
func trimRightSpace(l string) string {
	if !strings.Contains(l, "\x1b") {
		return strings.TrimRight(l, " ")
	}
	plain := xansi.Strip(l)
	keep := len(strings.TrimRight(plain, " "))
	if keep == len(plain) {
		return l
	}
	return xansi.Cut(l, 0, xansi.StringWidth(plain[:keep])) + "\x1b[0m"
}

// isBlank reports whether a rendered line shows nothing.
func isBlank(l string) bool {
	return strings.TrimSpace(xansi.Strip(l)) == ""
}
