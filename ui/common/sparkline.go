package common

import (
	"math"
	"strings"

	"parley/ui/styles"
)

// Sparkline keeps the latest values, at most its capacity, and draws them
// one cell each (after ntcharts' sparkline: a ring sized to the pane).
type Sparkline struct {
	vals []float64
	cap  int
}

// NewSparkline returns a sparkline holding up to n values.
func NewSparkline(n int) Sparkline {
	return Sparkline{cap: max(n, 1)}
}

// Push appends v, dropping the oldest value when full.
func (s *Sparkline) Push(v float64) {
	s.vals = append(s.vals, v)
	if over := len(s.vals) - s.cap; over > 0 {
		s.vals = append(s.vals[:0:0], s.vals[over:]...)
	}
}

// Resize changes the capacity, keeping the newest values.
func (s *Sparkline) Resize(n int) {
	s.cap = max(n, 1)
	if over := len(s.vals) - s.cap; over > 0 {
		s.vals = append(s.vals[:0:0], s.vals[over:]...)
	}
}

// Len is the number of values held.
func (s Sparkline) Len() int {
	return len(s.vals)
}

// Render draws the newest w values right-aligned in w cells. top is the
// value of a full cell; 0 scales to the largest value shown.
func (s Sparkline) Render(g styles.Glyphs, w int, top float64) string {
	if w <= 0 {
		return ""
	}
	vals := s.vals[max(len(s.vals)-w, 0):]
	if top <= 0 {
		for _, v := range vals {
			top = max(top, v)
		}
	}
	var sb strings.Builder
	sb.WriteString(strings.Repeat(" ", w-len(vals)))
	for _, v := range vals {
		sb.WriteString(g.Spark[level(v, top, len(g.Spark))])
	}
	return sb.String()
}

// level maps v in [0, top] to one of n glyph levels.
func level(v, top float64, n int) int {
	if top <= 0 || math.IsNaN(v) || v <= 0 {
		return 0
	}
	i := int(math.Ceil(v/top*float64(n))) - 1
	return min(max(i, 0), n-1)
}

// RenderRows draws the newest w values as a column chart rows cells high,
// top row first. top is the value of a full column; 0 scales to the
// largest value shown. With rows 1 it equals Render.
func (s Sparkline) RenderRows(g styles.Glyphs, w, rows int, top float64) []string {
	if rows <= 1 {
		return []string{s.Render(g, w, top)}
	}
	if w <= 0 {
		return make([]string, rows)
	}
	vals := s.vals[max(len(s.vals)-w, 0):]
	if top <= 0 {
		for _, v := range vals {
			top = max(top, v)
		}
	}
	n := len(g.Spark)
	out := make([]string, rows)
	for r := range out {
		var sb strings.Builder
		sb.WriteString(strings.Repeat(" ", w-len(vals)))
		floor := float64(rows-1-r) * float64(n) // levels below this row
		for _, v := range vals {
			sb.WriteString(cell(g, levels(v, top, rows*n)-floor, n))
		}
		out[r] = sb.String()
	}
	return out
}

// levels is v as a count of glyph levels out of total.
func levels(v, top float64, total int) float64 {
	if top <= 0 || math.IsNaN(v) || v <= 0 {
		return 0
	}
	return math.Ceil(min(v/top, 1) * float64(total))
}

// cell draws the part of a column within one row: blank, partial or full.
func cell(g styles.Glyphs, lv float64, n int) string {
	switch {
	case lv <= 0:
		return " "
	case lv >= float64(n):
		return g.Spark[n-1]
	}
	return g.Spark[int(lv)-1]
}
