package common

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"parley/ui/styles"
)

func init() {
	lipgloss.SetColorProfile(termenv.Ascii)
}

func TestFit(t *testing.T) {
	cases := []struct {
		in   string
		w    int
		want string
	}{
		{"abc", 5, "abc  "},
		{"abcdef", 4, "a..."},
		{"abcdef", 2, "ab"},
		{"", 0, ""},
		{"héllo", 4, "h..."},
	}
	for _, c := range cases {
		if got := Fit(c.in, c.w, "..."); got != c.want {
			t.Errorf("Fit(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
	}
}

func TestFormat(t *testing.T) {
	for in, want := range map[float64]string{0: "-", -1: "-", 812.4: "812ms", 1240: "1.24s", 12500: "12.5s"} {
		if got := FormatMS(in); got != want {
			t.Errorf("FormatMS(%v) = %q, want %q", in, got, want)
		}
	}
	if got := FormatMiB(3276.8); got != "3.2Gi" {
		t.Errorf("FormatMiB = %q", got)
	}
}

// TestLoadStyle checks nvitop's thresholds pick the right style.
func TestLoadStyle(t *testing.T) {
	st := styles.Default(false)
	cases := []struct {
		pct  float64
		want lipgloss.Style
	}{{5, st.Gauge.Light}, {10, st.Gauge.Moderate}, {74, st.Gauge.Moderate}, {75, st.Gauge.Heavy}}
	for _, c := range cases {
		got := LoadStyle(st, c.pct, 10, 75)
		if got.GetForeground() != c.want.GetForeground() {
			t.Errorf("LoadStyle(%v) wrong", c.pct)
		}
	}
}

func TestMeterAndSparkline(t *testing.T) {
	var sb strings.Builder
	for _, unicode := range []bool{false, true} {
		st := styles.Default(unicode)
		for _, f := range []float64{0, 0.07, 0.5, 1, 1.5} {
			m := Meter(st, "MEM", 30, f, f/3, "1.0Gi/8.0Gi", st.Gauge.Light)
			if Width(m) != 30 {
				t.Errorf("meter width %d: %q", Width(m), m)
			}
			sb.WriteString(m + "\n")
		}
		sp := NewSparkline(8)
		for _, v := range []float64{0, 10, 20, 40, 80, 100, 60, 30, 5} {
			sp.Push(v)
		}
		sb.WriteString(sp.Render(st.Glyphs, 10, 100) + "\n")
		sb.WriteString(strings.Join(sp.RenderRows(st.Glyphs, 10, 3, 100), "\n") + "\n")
		sb.WriteString(Box(st, 20, 4, "title", []string{"body line that is long"}, true) + "\n")
	}
	golden.RequireEqual(t, []byte(sb.String()))
}

func TestSparklineResize(t *testing.T) {
	sp := NewSparkline(5)
	for i := range 10 {
		sp.Push(float64(i))
	}
	if sp.Len() != 5 {
		t.Fatalf("len %d", sp.Len())
	}
	sp.Resize(2)
	if sp.Len() != 2 {
		t.Fatalf("len after resize %d", sp.Len())
	}
}

func TestBoxTiny(t *testing.T) {
	st := styles.Default(false)
	for w := 0; w < 6; w++ {
		for h := 0; h < 5; h++ {
			out := Box(st, w, h, "t", []string{"x"}, false)
			if w == 0 || h == 0 {
				continue
			}
			if lines := strings.Split(out, "\n"); len(lines) != h {
				t.Errorf("Box(%d,%d) has %d lines", w, h, len(lines))
			}
		}
	}
}
