package bench

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// TextOptions shape the terminal rendering.
type TextOptions struct {
	// ASCII draws bars with '#', '=' and '-' instead of block characters.
	ASCII bool
	// BarWidth is the longest bar in characters; 0 means 40.
	BarWidth int
}

// WriteText writes the report for a terminal: the table, the bar charts
// (RTF by device and batch; latency percentiles), the identical-output
// checks and the verdict.
func WriteText(w io.Writer, rep *Report, opts TextOptions) error {
	if opts.BarWidth <= 0 {
		opts.BarWidth = 40
	}
	var b strings.Builder
	writeTable(&b, rep.Rows)
	writeRTFChart(&b, rep.Rows, opts)
	writeLatencyChart(&b, rep.Rows, opts)
	writeChecks(&b, rep.Checks)
	fmt.Fprintf(&b, "\nVerdict: %s%s (%.1f s)\n", rep.Verdict, skipNote(rep.Verdict), rep.Seconds)
	for _, n := range rep.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// writeTable writes one line per row and workload; the row's own figures
// (memory, speed ratio) are on its first line.
func writeTable(w io.Writer, rows []Row) {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tKIND\tDEVICE\tBATCH\tPAR\tLOAD\tRTF\tx RT\tp50\tp95\tp99\tPEAK RSS\tPEAK GPU\tvs CPU")
	for _, r := range rows {
		writeRow(tw, r)
	}
	_ = tw.Flush()
	writeTrimmed(w, b.String())
	writeProblems(w, rows)
}

// writeProblems lists why rows have no numbers, one line per reason with
// the rows it applies to (the table only marks them, to stay aligned).
func writeProblems(w io.Writer, rows []Row) {
	var order []string
	names := map[string][]string{}
	for _, r := range rows {
		if r.OK() {
			continue
		}
		why := rowProblem(r)
		if names[why] == nil {
			order = append(order, why)
		}
		names[why] = append(names[why], r.Model+"/"+r.Device)
	}
	for _, why := range order {
		fmt.Fprintf(w, "  %s: %s\n", strings.Join(names[why], ", "), why)
	}
}

// writeTrimmed writes text without the padding tabwriter leaves at the
// ends of lines.
func writeTrimmed(w io.Writer, text string) {
	for line := range strings.Lines(text) {
		fmt.Fprintln(w, strings.TrimRight(line, " \n"))
	}
}

func writeRow(w io.Writer, r Row) {
	head := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t", r.Model, r.Kind, r.Device, dash(r.Batch), dash(r.Parallel))
	switch {
	case r.Missing != "":
		fmt.Fprintf(w, "%smissing\t\t\t\t\t\t\t\t\n", head)
		return
	case r.Error != "":
		fmt.Fprintf(w, "%serror\t\t\t\t\t\t\t\t\n", head)
		return
	}
	for i, l := range r.Loads {
		if i > 0 {
			head = "\t\t\t\t\t"
		}
		fmt.Fprintf(w, "%s%s\t%s\t%s\t%s\t%s\t%s\t", head, l.Name, fmtG(l.RTF), fmtX(l.Throughput),
			fmtMS(l.Latency.P50), fmtMS(l.Latency.P95), fmtMS(l.Latency.P99))
		if i == 0 {
			fmt.Fprintf(w, "%s\t%s\t%s\n", fmtMiB(r.PeakRSSMiB), fmtMiB(r.PeakGPUMiB), fmtSpeedup(r.Speedup))
		} else {
			fmt.Fprint(w, "\t\t\n")
		}
	}
}

// writeRTFChart draws each timed row's RTF as a bar; each model's bars
// share a scale, so its devices and batch sizes compare at a glance.
func writeRTFChart(w io.Writer, rows []Row, opts TextOptions) {
	var labels []string
	var values []float64
	var groups []string
	for _, r := range rows {
		if r.OK() {
			labels = append(labels, rowLabel(r))
			values = append(values, r.RTF)
			groups = append(groups, r.Model)
		}
	}
	if len(values) == 0 {
		return
	}
	fmt.Fprintln(w, "\nRTF by device and batch (shorter is faster; each model on its own scale)")
	width := labelWidth(labels)
	for i, v := range values {
		fmt.Fprintf(w, "  %-*s %s %s\n", width, labels[i], bar(v, groupMax(groups, values, groups[i]), opts), fmtG(v))
	}
}

// groupMax is the largest value of group g.
func groupMax(groups []string, values []float64, g string) float64 {
	m := 0.0
	for i, v := range values {
		if groups[i] == g {
			m = math.Max(m, v)
		}
	}
	return m
}

// writeLatencyChart draws p50, p95 and p99 of each row and workload as one
// bar in three shades: solid to p50, then to p95, then to p99.
func writeLatencyChart(w io.Writer, rows []Row, opts TextOptions) {
	var labels, groups []string
	var lats []Latency
	var p99 []float64
	for _, r := range rows {
		if !r.OK() {
			continue
		}
		for _, l := range r.Loads {
			labels = append(labels, rowLabel(r)+" "+l.Name)
			lats, p99, groups = append(lats, l.Latency), append(p99, l.Latency.P99), append(groups, r.Model)
		}
	}
	if len(lats) == 0 {
		return
	}
	shades := "█▓░"
	if opts.ASCII {
		shades = "#=-"
	}
	fmt.Fprintf(w, "\nLatency per item, ms (%s p50, %s p95, %s p99; each model on its own scale)\n",
		string([]rune(shades)[0]), string([]rune(shades)[1]), string([]rune(shades)[2]))
	width := labelWidth(labels)
	for i, l := range lats {
		top := groupMax(groups, p99, groups[i])
		fmt.Fprintf(w, "  %-*s %s %s/%s/%s\n", width, labels[i], latencyBar(l, top, opts, shades),
			fmtG(l.P50), fmtG(l.P95), fmtG(l.P99))
	}
}

// writeChecks lists each identical-output check, and every differing
// transcript with both texts.
func writeChecks(w io.Writer, checks []Check) {
	if len(checks) == 0 {
		return
	}
	fmt.Fprintln(w, "\nIdentical outputs")
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, c := range checks {
		fmt.Fprintf(tw, "  %s\t%s\t%s vs %s\t%s\t%s\t%s\n", c.Model, c.Kind, c.Device, c.Reference, c.Verdict,
			checkFigures(c), c.Reason)
	}
	_ = tw.Flush()
	writeTrimmed(w, b.String())
	for _, c := range checks {
		for _, d := range c.TextDiffs {
			fmt.Fprintf(w, "  %s %s: %s %q / %s %q\n", c.Model, d.ID, c.Reference, d.Reference, c.Device, d.Got)
		}
	}
}

// checkFigures is "4 items, max abs diff 1.2e-06, corr 0.9999".
func checkFigures(c Check) string {
	s := plural(c.Items, "item", "items")
	if c.MaxAbsDiff >= 0 {
		s += ", max abs diff " + fmtG(c.MaxAbsDiff)
	}
	if c.MinCorrelation >= 0 {
		s += ", corr " + strconv.FormatFloat(c.MinCorrelation, 'f', 4, 64)
	}
	return s
}

func rowLabel(r Row) string {
	return fmt.Sprintf("%s %s b%d p%d", r.Model, r.Device, r.Batch, r.Parallel)
}

func labelWidth(labels []string) int {
	n := 0
	for _, l := range labels {
		n = max(n, len([]rune(l)))
	}
	return n
}

// bar is v's share of top as a bar of opts.BarWidth cells (at least one
// cell for any positive value).
func bar(v, top float64, opts TextOptions) string {
	ch := "█"
	if opts.ASCII {
		ch = "#"
	}
	return strings.Repeat(ch, cells(v, top, opts.BarWidth))
}

func cells(v, top float64, width int) int {
	if top <= 0 || v <= 0 {
		return 0
	}
	return max(1, int(math.Round(v/top*float64(width))))
}

func latencyBar(l Latency, top float64, opts TextOptions, shades string) string {
	s := []rune(shades)
	c50, c95, c99 := cells(l.P50, top, opts.BarWidth), cells(l.P95, top, opts.BarWidth), cells(l.P99, top, opts.BarWidth)
	c95, c99 = max(c95, c50), max(c99, c95, c50)
	return strings.Repeat(string(s[0]), c50) + strings.Repeat(string(s[1]), c95-c50) + strings.Repeat(string(s[2]), c99-c95)
}

// skipNote explains a SKIP verdict.
func skipNote(verdict string) string {
	if verdict == Skip {
		return ": no second device ran, so no outputs were compared"
	}
	return ""
}
