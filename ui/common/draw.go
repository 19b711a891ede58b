package common

import (
	"math"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"parley/ui/styles"
)

// Box draws a w x h box with title set in its top border and body lines
// inside, each fitted to the inner width; missing lines are blank. A box
// too small for a border renders the body alone.
func Box(st *styles.Styles, w, h int, title string, body []string, focused bool) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	if w < 4 || h < 3 {
		return Lines(body, w, h, st.Glyphs.Ellipsis)
	}
	b, bs, ts := st.Glyphs.Border, st.Pane.Border, st.Pane.Title
	if focused {
		bs, ts = st.Pane.BorderFocused, st.Pane.TitleFocused
		title = st.Glyphs.Focus + " " + title // focus must show without colour
	}
	var sb strings.Builder
	sb.Grow((w + 16) * h)
	sb.WriteString(topBorder(b, bs, ts, w, title, st.Glyphs.Ellipsis))
	left, right := bs.Render(b.Left), bs.Render(b.Right)
	for i := 0; i < h-2; i++ {
		line := ""
		if i < len(body) {
			line = body[i]
		}
		sb.WriteByte('\n')
		sb.WriteString(left + Fit(line, w-2, st.Glyphs.Ellipsis) + right)
	}
	sb.WriteByte('\n')
	sb.WriteString(bs.Render(b.BottomLeft + strings.Repeat(b.Bottom, w-2) + b.BottomRight))
	return sb.String()
}

// topBorder renders "╭─ title ───╮" at width w.
func topBorder(b lipgloss.Border, bs, ts lipgloss.Style, w int, title, tail string) string {
	inner := w - 2
	if title == "" || inner < 5 {
		return bs.Render(b.TopLeft + strings.Repeat(b.Top, inner) + b.TopRight)
	}
	t := strings.TrimRight(Fit(title, min(Width(title), inner-4), tail), " ")
	rest := inner - 3 - Width(t)
	return bs.Render(b.TopLeft+b.Top) + " " + ts.Render(t) + " " +
		bs.Render(strings.Repeat(b.Top, rest)+b.TopRight)
}

// Lines fits body to exactly h lines of w cells.
func Lines(body []string, w, h int, tail string) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	out := make([]string, h)
	for i := range out {
		if i < len(body) {
			out[i] = Fit(body[i], w, tail)
		} else {
			out[i] = strings.Repeat(" ", w)
		}
	}
	return strings.Join(out, "\n")
}

// LoadStyle picks the gauge style for pct at nvitop's thresholds: light
// below low, heavy from high, moderate between.
func LoadStyle(st *styles.Styles, pct, low, high float64) lipgloss.Style {
	switch {
	case pct >= high:
		return st.Gauge.Heavy
	case pct >= low:
		return st.Gauge.Moderate
	default:
		return st.Gauge.Light
	}
}

// Meter draws an htop/nvtop-style gauge "LBL[||||#   text]" of exactly w
// cells. frac (0-1) of the bar area is filled in style fill; the first
// share (0-1, <= frac) of it uses the share glyph. text sits right-aligned
// inside the brackets.
func Meter(st *styles.Styles, label string, w int, frac, share float64, text string, fill lipgloss.Style) string {
	inner := w - Width(label) - 2
	if inner < 1 {
		return Fit(label+text, w, "")
	}
	if Width(text) > inner {
		text = Fit(text, inner, "")
	}
	avail := max(inner-Width(text)-1, 0)
	bar, used := bars(st.Glyphs, avail, clamp01(frac), clamp01(min(share, frac)), fill, st.Gauge.Share)
	pad := strings.Repeat(" ", inner-used-Width(text))
	return st.Gauge.Label.Render(label+"[") + bar + pad + text + st.Gauge.Label.Render("]")
}

// bars renders the filled part of a gauge of n cells and its width.
func bars(g styles.Glyphs, n int, frac, share float64, fill, shareStyle lipgloss.Style) (string, int) {
	if n <= 0 {
		return "", 0
	}
	shareCells := int(math.Round(share * float64(n)))
	eighths := int(math.Round(frac * float64(n) * 8))
	if !g.Unicode {
		eighths = int(math.Round(frac*float64(n))) * 8
	}
	full, part := eighths/8, eighths%8
	full = max(full, shareCells)
	var s string
	if shareCells > 0 {
		s = shareStyle.Render(strings.Repeat(g.BarShare, shareCells))
	}
	tail := strings.Repeat(g.BarFull, full-shareCells)
	used := full
	if part > 0 && full < n {
		tail += g.BarEighths[part]
		used++
	}
	if tail != "" {
		s += fill.Render(tail)
	}
	return s, used
}

func clamp01(f float64) float64 {
	if math.IsNaN(f) || f < 0 {
		return 0
	}
	return min(f, 1)
}
