package bench

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixedReport is a report with every kind of row and check.
func fixedReport() *Report {
	lat := Latency{P50: 12, P95: 20, P99: 31, Max: 35}
	load := func(name string, rtf float64) LoadResult {
		return LoadResult{Name: name, Items: 10, AudioSeconds: 30, WallSeconds: 30 * rtf, RTF: rtf, Throughput: 1 / rtf, Latency: lat}
	}
	return &Report{
		Machine: Machine{CPU: "AMD EPYC 7B13", Cores: 2, OS: "Debian GNU/Linux 12 (bookworm)", Go: "go1.26.8",
			ORT: "1.29.0", Providers: []string{"CPU"}, NoGPU: "NVML library not found (no NVIDIA driver)"},
		Started: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC), Seconds: 12.5,
		Options: OptionsSummary{DurationSeconds: 10, Repetitions: 3, Warmup: 1, Reference: "cpu", Tolerances: Tolerances{}.withDefaults()},
		Rows: []Row{
			{Model: "silero", Kind: KindVAD, Device: "cpu", Batch: 1, Parallel: 1, Repetitions: 3,
				Loads: []LoadResult{load("3s", 0.004), load("5s", 0.005)}, RTF: 0.0045, Throughput: 222, PeakRSSMiB: 120.4, PeakGPUMiB: -1},
			{Model: "sensevoice", Kind: KindASR, Device: "cuda:0", Batch: 4, Parallel: 1, Repetitions: 3,
				Loads: []LoadResult{load("3s", 0.01)}, RTF: 0.01, Throughput: 100, PeakRSSMiB: 900, PeakGPUMiB: 1200, Speedup: 8.5},
			{Model: "silero", Kind: KindVAD, Device: "cuda:0", Missing: "no GPU: NVML library not found", PeakGPUMiB: -1},
			{Model: "piper", Kind: KindTTS, Device: "cpu", Batch: 1, Parallel: 1, Error: "run s#0: boom", PeakGPUMiB: -1},
		},
		Checks: []Check{
			{Model: "sensevoice", Kind: KindASR, Device: "cuda:0", Reference: "cpu", Items: 4, MaxAbsDiff: 0.0012,
				MinCorrelation: -1, Verdict: Fail, Reason: "1 transcript differs",
				TextDiffs: []TextDiff{{ID: "slt#2", Reference: "turn left", Got: "turn lift"}}},
			{Model: "silero", Kind: KindVAD, Device: "cuda:0", Reference: "cpu", MaxAbsDiff: -1, MinCorrelation: -1,
				Verdict: Skip, Reason: "no GPU: NVML library not found"},
		},
		Verdict: Fail,
		Notes:   []string{"latency is each batch's service time"},
	}
}

func TestWriteGolden(t *testing.T) {
	tests := []struct {
		file  string
		write func(*bytes.Buffer, *Report) error
	}{
		{"report.md", func(b *bytes.Buffer, r *Report) error { return WriteMarkdown(b, r) }},
		{"report.txt", func(b *bytes.Buffer, r *Report) error { return WriteText(b, r, TextOptions{BarWidth: 20}) }},
		{"report-ascii.txt", func(b *bytes.Buffer, r *Report) error {
			return WriteText(b, r, TextOptions{ASCII: true, BarWidth: 20})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b, fixedReport()); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", tc.file), b.Bytes())
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bench/ -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs; got:\n%s", path, got)
	}
}

func TestWriteJSONFields(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, fixedReport()); err != nil {
		t.Fatal(err)
	}
	var v struct {
		Machine struct {
			CPU   string `json:"cpu"`
			NoGPU string `json:"no_gpu"`
		} `json:"machine"`
		Rows []struct {
			Device  string  `json:"device"`
			RTF     float64 `json:"rtf"`
			Missing string  `json:"missing"`
			GPU     float64 `json:"peak_gpu_mib"`
			Speedup float64 `json:"speedup_vs_reference"`
			Loads   []struct {
				Latency struct {
					P99 float64 `json:"p99_ms"`
				} `json:"latency"`
			} `json:"loads"`
		} `json:"rows"`
		Checks []struct {
			TextDiffs []TextDiff `json:"text_diffs"`
		} `json:"checks"`
		Verdict string `json:"verdict"`
	}
	if err := json.Unmarshal(b.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	r := v.Rows
	if v.Machine.CPU != "AMD EPYC 7B13" || v.Verdict != Fail || len(r) != 4 || r[0].RTF != 0.0045 ||
		r[0].Loads[1].Latency.P99 != 31 || r[1].Speedup != 8.5 || r[1].GPU != 1200 || r[2].Missing == "" ||
		v.Checks[0].TextDiffs[0].Got != "turn lift" || !strings.Contains(v.Machine.NoGPU, "NVML") {
		t.Errorf("JSON fields: %+v\n%s", v, b.String())
	}
}

func TestMachineParsing(t *testing.T) {
	if got := cpuModel([]byte("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags: x\n")); got != "AMD EPYC 7B13" {
		t.Errorf("cpu %q", got)
	}
	if got := osName([]byte("NAME=x\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n")); got != "Debian GNU/Linux 12 (bookworm)" {
		t.Errorf("os %q", got)
	}
	v := "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  Sun Jul 27 07:09:29 UTC 2025\nGCC version: x\n"
	if got := driverVersion([]byte(v)); got != "580.65.06" {
		t.Errorf("driver %q", got)
	}
	if got := statusMiB([]byte("Name: x\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n"), "VmRSS:"); got != 100 {
		t.Errorf("rss %g", got)
	}
}
