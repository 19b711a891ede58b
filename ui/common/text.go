package common

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Fit truncates s to w cells (ending it with tail when cut) and pads it
// with spaces to exactly w cells. It keeps ANSI styling intact.
func Fit(s string, w int, tail string) string {
	if w <= 0 {
		return ""
	}
	n := ansi.StringWidth(s)
	if n > w {
		if ansi.StringWidth(tail) >= w {
			tail = ""
		}
		s = ansi.Truncate(s, w, tail)
		n = ansi.StringWidth(s)
	}
	return s + strings.Repeat(" ", w-n)
}

// Width is the display width of s in cells, ignoring ANSI sequences.
func Width(s string) int {
	return ansi.StringWidth(s)
}

// Wrap wraps plain text to w cells at word boundaries, breaking words
// longer than w. It always returns at least one line.
func Wrap(s string, w int) []string {
	if w <= 0 {
		return []string{""}
	}
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}

// FormatMS renders milliseconds compactly: "-" when unmeasured (<= 0),
// "812ms" below a second, "1.24s" from a second.
func FormatMS(ms float64) string {
	switch {
	case ms <= 0:
		return "-"
	case ms < 1000:
		return fmt.Sprintf("%.0fms", ms)
	case ms < 10000:
		return fmt.Sprintf("%.2fs", ms/1000)
	default:
		return fmt.Sprintf("%.1fs", ms/1000)
	}
}

// FormatMiB renders a memory size with binary prefixes, nvtop style:
// "512Mi", "3.2Gi".
func FormatMiB(mib float64) string {
	if mib < 1024 {
		return fmt.Sprintf("%.0fMi", mib)
	}
	return fmt.Sprintf("%.1fGi", mib/1024)
}

// JoinNonEmpty joins the non-empty parts with sep.
func JoinNonEmpty(sep string, parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
