package bench

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// judge fills the trends and the verdict.
func (s *soak) judge() {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rep
	r.RSS = trend(s.t, s.rss)
	r.GPU = trend(s.t, s.gpu)
	if r.RSS.Known && r.RSS.GrowthMiB > s.opts.MaxRSSGrowthMiB {
		r.Reasons = append(r.Reasons, fmt.Sprintf("RSS grew %.1f MiB (%s), bound %.0f MiB",
			r.RSS.GrowthMiB, growthBasis, s.opts.MaxRSSGrowthMiB))
	}
	if r.GPU.Known && r.GPU.GrowthMiB > s.opts.MaxGPUGrowthMiB {
		r.Reasons = append(r.Reasons, fmt.Sprintf("GPU memory grew %.1f MiB (%s), bound %.0f MiB",
			r.GPU.GrowthMiB, growthBasis, s.opts.MaxGPUGrowthMiB))
	}
	if third := time.Duration(r.Seconds / 3 * float64(time.Second)); s.opts.Switch != nil && s.opts.SwitchEvery > 0 && third < 2*s.opts.SwitchEvery {
		r.Notes = append(r.Notes, fmt.Sprintf("a third of the run (%s) spans fewer than two switch periods (%s each): "+
			"the memory growth compares unlike parts of the sawtooth; run longer for a sound verdict",
			third.Round(time.Second), s.opts.SwitchEvery))
	}
	if g := r.GoroutinesEnd - r.GoroutinesStart; g > s.opts.MaxGoroutineGrowth {
		r.Reasons = append(r.Reasons, fmt.Sprintf("goroutines grew by %d (%d -> %d), bound %d",
			g, r.GoroutinesStart, r.GoroutinesEnd, s.opts.MaxGoroutineGrowth))
	}
	if r.Errors > 0 {
		r.Reasons = append(r.Reasons, plural(r.Errors, "error", "errors"))
	}
	if r.Runs == 0 {
		r.Reasons = append(r.Reasons, "no run completed")
	}
	r.Verdict = Pass
	if len(r.Reasons) > 0 {
		r.Verdict = Fail
	}
}

// growthBasis says how a Trend's growth is measured.
const growthBasis = "peaks and troughs of the last third over the first third"

// trend summarises samples taken at t (minutes); negative values mean
// unknown and are left out. The growth and the slope ignore the first
// tenth of the run when there are enough samples, where allocators settle.
func trend(t, v []float64) Trend {
	var xs, ys []float64
	for i := range v {
		if v[i] >= 0 {
			xs, ys = append(xs, t[i]), append(ys, v[i])
		}
	}
	if len(ys) == 0 {
		return Trend{}
	}
	tr := Trend{Known: true, StartMiB: ys[0], EndMiB: ys[len(ys)-1], Samples: len(ys)}
	for _, y := range ys {
		tr.PeakMiB = math.Max(tr.PeakMiB, y)
	}
	skip := 0
	if len(xs) >= 20 {
		skip = len(xs) / 10
	}
	tr.SlopeMiBPerMin = Slope(xs[skip:], ys[skip:])
	tr.GrowthMiB = peakTroughGrowth(ys[skip:])
	return tr
}

// peakTroughGrowth is how far the peaks, or the troughs, of the last third
// of ys are above those of the first third, whichever is more. Live
// switches make memory a sawtooth (a session is built on one device and
// freed on the other), which biases a slope fitted over the run either
// way; its peaks and troughs rise only when memory leaks.
func peakTroughGrowth(ys []float64) float64 {
	third := len(ys) / 3
	if third == 0 {
		return ys[len(ys)-1] - ys[0]
	}
	first, last := ys[:third], ys[len(ys)-third:]
	return max(slices.Max(last)-slices.Max(first), slices.Min(last)-slices.Min(first))
}

// WriteSoakText writes a soak report for a terminal.
func WriteSoakText(w io.Writer, r *SoakReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Soak: %.0f s, %d runs (%.0f s of audio), %d live switches, %s\n", r.Seconds, r.Runs,
		r.AudioSeconds, r.Switches, plural(r.Errors, "error", "errors"))
	fmt.Fprintf(&b, "  RSS  %s\n  GPU  %s\n", trendLine(r.RSS), trendLine(r.GPU))
	fmt.Fprintf(&b, "  goroutines %d -> %d\n", r.GoroutinesStart, r.GoroutinesEnd)
	for _, e := range r.FirstErrors {
		fmt.Fprintf(&b, "  error: %s\n", e)
	}
	fmt.Fprintf(&b, "Verdict: %s%s\n", r.Verdict, reasons(r.Reasons))
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write soak report: %w", err)
	}
	return nil
}

// WriteSoakMarkdown writes a soak report as a section for docs/benchmarks.md.
func WriteSoakMarkdown(w io.Writer, r *SoakReport) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## `parley bench --soak`: %s (%d cores), %s\n\n", r.Machine.CPU, r.Machine.Cores,
		r.Started.Format("2006-01-02"))
	fmt.Fprintf(&b, "GPU: %s; ONNX Runtime %s.\n\n", orNone(strings.Join(r.Machine.GPU, ", ")), orNone(r.Machine.ORT))
	fmt.Fprintln(&b, "| what | value |\n| --- | --- |")
	fmt.Fprintf(&b, "| duration | %.0f s, %d runs, %.0f s of audio |\n", r.Seconds, r.Runs, r.AudioSeconds)
	fmt.Fprintf(&b, "| live switches | %d |\n| errors | %d |\n", r.Switches, r.Errors)
	fmt.Fprintf(&b, "| RSS | %s |\n| GPU memory | %s |\n", trendLine(r.RSS), trendLine(r.GPU))
	fmt.Fprintf(&b, "| goroutines | %d -> %d |\n", r.GoroutinesStart, r.GoroutinesEnd)
	fmt.Fprintf(&b, "\nVerdict: **%s**%s.\n", r.Verdict, reasons(r.Reasons))
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\n- %s", n)
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write soak report: %w", err)
	}
	return nil
}

func reasons(r []string) string {
	if len(r) == 0 {
		return ""
	}
	return " (" + strings.Join(r, "; ") + ")"
}

// trendLine is "start 250 MiB, end 251 MiB, peak 260 MiB, growth +1.0 MiB
// (peaks and troughs ...), fitted slope +0.02 MiB/min".
func trendLine(t Trend) string {
	if !t.Known {
		return "N/A"
	}
	return fmt.Sprintf("start %.0f MiB, end %.0f MiB, peak %.0f MiB, growth %+.1f MiB (%s), fitted slope %+.2f MiB/min",
		t.StartMiB, t.EndMiB, t.PeakMiB, t.GrowthMiB, growthBasis, t.SlopeMiBPerMin)
}
