package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes a Report or a SoakReport as indented JSON.
func WriteJSON(w io.Writer, rep any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("write JSON report: %w", err)
	}
	return nil
}

// WriteMarkdown writes the report as a section for docs/benchmarks.md:
// the machine, the results table and the identical-output checks.
func WriteMarkdown(w io.Writer, rep *Report) error {
	var b strings.Builder
	writeMachine(&b, rep)
	writeMarkdownRows(&b, rep.Rows)
	writeMarkdownChecks(&b, rep.Checks)
	fmt.Fprintf(&b, "\nVerdict: **%s**.\n", rep.Verdict)
	if len(rep.Notes) > 0 {
		b.WriteString("\n")
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write Markdown report: %w", err)
	}
	return nil
}

func writeMachine(b *strings.Builder, rep *Report) {
	m := rep.Machine
	fmt.Fprintf(b, "## `parley bench`: %s (%d cores), %s\n\n", m.CPU, m.Cores, rep.Started.Format("2006-01-02"))
	fmt.Fprintln(b, "| machine | |\n| --- | --- |")
	fmt.Fprintf(b, "| CPU | %s, %d logical cores |\n", mdCell(m.CPU), m.Cores)
	gpus := strings.Join(m.GPU, ", ")
	if gpus == "" {
		gpus = "none: " + m.NoGPU
	}
	fmt.Fprintf(b, "| GPU | %s |\n", mdCell(gpus))
	if m.Driver != "" {
		fmt.Fprintf(b, "| NVIDIA driver | %s |\n", m.Driver)
	}
	fmt.Fprintf(b, "| ONNX Runtime | %s (%s) |\n", orNone(m.ORT), orNone(strings.Join(m.Providers, ", ")))
	fmt.Fprintf(b, "| OS, Go | %s, %s |\n", mdCell(m.OS), m.Go)
	o := rep.Options
	fmt.Fprintf(b, "| run | %.0f s budget, up to %d repetitions, %d warm-up batch(es), %.1f s in all |\n\n",
		o.DurationSeconds, o.Repetitions, o.Warmup, rep.Seconds)
}

func writeMarkdownRows(b *strings.Builder, rows []Row) {
	fmt.Fprintln(b, "| model | device | batch | parallel | workload | RTF | x real time | p50 ms | p95 ms | p99 ms | peak RSS | peak GPU | vs CPU |")
	fmt.Fprintln(b, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, r := range rows {
		head := fmt.Sprintf("| %s (%s) | %s | %s | %s |", r.Model, r.Kind, r.Device, dash(r.Batch), dash(r.Parallel))
		if !r.OK() {
			fmt.Fprintf(b, "%s %s | | | | | | | | |\n", head, mdCell(rowProblem(r)))
			continue
		}
		for _, l := range r.Loads {
			fmt.Fprintf(b, "%s %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", head, l.Name, fmtG(l.RTF),
				fmtX(l.Throughput), fmtG(l.Latency.P50), fmtG(l.Latency.P95), fmtG(l.Latency.P99),
				fmtMiB(r.PeakRSSMiB), fmtMiB(r.PeakGPUMiB), fmtSpeedup(r.Speedup))
		}
	}
}

func writeMarkdownChecks(b *strings.Builder, checks []Check) {
	if len(checks) == 0 {
		return
	}
	fmt.Fprintln(b, "\n| identical outputs | compared | verdict | figures | reason |\n| --- | --- | --- | --- | --- |")
	for _, c := range checks {
		fmt.Fprintf(b, "| %s (%s) | %s vs %s | %s | %s | %s |\n", c.Model, c.Kind, c.Device, c.Reference, c.Verdict,
			checkFigures(c), mdCell(c.Reason))
	}
	for _, c := range checks {
		for _, d := range c.TextDiffs {
			fmt.Fprintf(b, "\n- %s `%s`: %s %q, %s %q", c.Model, d.ID, c.Reference, d.Reference, c.Device, d.Got)
		}
	}
	b.WriteString("\n")
}

// rowProblem is why a row has no numbers.
func rowProblem(r Row) string {
	if r.Missing != "" {
		return "missing: " + r.Missing
	}
	return "error: " + r.Error
}

// mdCell escapes a table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
