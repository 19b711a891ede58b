// Package scripts tests the project's shell scripts by running them.
package scripts

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"parley/internal/testenv"
)

// gpuSteps are the steps of scripts/gpu-check.sh, in report order.
var gpuSteps = []string{"gpu", "models", "bench", "budget", "failure", "soak", "tui"}

// TestGPUCheckWithoutGPU runs scripts/gpu-check.sh as CI has it, without a
// GPU, so that the script cannot rot between the rare runs on a GPU host:
// every step must end with a verdict, the steps that need a GPU must say
// why they were skipped, and what can run here (the CPU rows of the
// benchmark, the CPU fallback in the TUI, the soak's utterance count) must
// have run.
func TestGPUCheckWithoutGPU(t *testing.T) {
	for _, c := range []string{"bash", "python3", "tmux", "flite"} {
		testenv.Command(t, c)
	}
	testenv.ORTLibrary(t)
	if out, err := exec.Command("nvidia-smi", "-L").Output(); err == nil && strings.Contains(string(out), "GPU ") {
		t.Skip("a GPU is present: run scripts/gpu-check.sh itself (about 8 minutes)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "parley")
	build := exec.Command("go", "build", "-o", bin, "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build parley: %v\n%s", err, out)
	}
	report := runGPUCheck(t, bin, filepath.Join(dir, "out"))
	for _, step := range gpuSteps {
		if !regexp.MustCompile(`(?m)^\| ` + step + ` \| \*\*(PASS|SKIP)\*\* \|`).MatchString(report) {
			t.Errorf("step %s has no PASS or SKIP row in the summary", step)
		}
	}
	for _, want := range []string{
		"| budget | **SKIP** | 0 | no GPU",              // a GPU step says why it is skipped
		"CPU rows measured; GPU rows skipped: missing:", // bench ran on the CPU
		"the fallback path ran (load failure)",          // the TUI answered from the CPU
		"0 lost, 0 duplicated, 0 errors",                // the soak counted the utterances
		"GPU pane: no GPU:",                             // the TUI's GPU pane says why
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("report:\n%s", report)
	}
}

// runGPUCheck runs the script with bin and returns its Markdown report.
func runGPUCheck(t *testing.T, bin, out string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "gpu-check.sh", "--out", out)
	cmd.Env = append(os.Environ(), "PARLEY_BIN="+bin)
	began := time.Now()
	log, err := cmd.CombinedOutput()
	t.Logf("scripts/gpu-check.sh without a GPU took %s", time.Since(began).Round(time.Second))
	if err != nil {
		t.Fatalf("gpu-check.sh: %v\n%s", err, log)
	}
	reports, _ := filepath.Glob(filepath.Join(out, "*-no-gpu.md"))
	if len(reports) != 1 {
		t.Fatalf("want one *-no-gpu.md report in %s, found %v\n%s", out, reports, log)
	}
	data, err := os.ReadFile(reports[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "gpucheck-logs.tar.gz")); err != nil {
		t.Errorf("no logs beside the report: %v", err)
	}
	return string(data)
}

// TestGPUCheckJudges runs the judges of scripts/gpucheck/report.py in GPU
// mode on fixtures shaped like a GPU host's output (testdata/gpucheck:
// synthetic figures, real formats), so that the verdicts a GPU run depends
// on are checked on every CI run too.
func TestGPUCheckJudges(t *testing.T) {
	testenv.Command(t, "python3")
	const td = "testdata/gpucheck/"
	cases := []struct {
		name string
		args []string
		want string // verdict, then a part of the headline
		has  string
	}{
		{"bench", []string{"bench", td + "bench-gpu.json", "--asr", "sensevoice"}, "PASS", "GPU/CPU 20x"},
		{"bench row error", []string{"bench", td + "bench-gpu-row-error.json", "--asr", "sensevoice"}, "FAIL", "Failed to allocate memory"},
		{"tui", []string{"screen", td + "screen-gpu.txt", "--model", "asr"}, "PASS", "self 1.9Gi; ASR on cuda:0"},
		{"tui asr on cpu", []string{"screen", td + "screen-gpu-asr-on-cpu.txt", "--model", "asr"}, "FAIL", "asr is on cpu, not a GPU"},
		{"segments", []string{"segments", td + "conversation-soak.jsonl", "--expected", "3"}, "PASS", "3 detected, 0 lost, 0 duplicated"},
		{"segments lost", []string{"segments", td + "conversation-soak-lost.jsonl", "--expected", "3"}, "FAIL", "1 lost"},
		{"segments duplicated", []string{"segments", td + "conversation-soak-duplicated.jsonl", "--expected", "3"}, "FAIL", "1 duplicated"},
		{"flips", []string{"flips", td + "toggles-gpu.txt", "--sent", "5"}, "PASS", "3 device changes seen, 1 refused"},
		{"trend flat", []string{"trend", td + "samples-flat.csv", "--from", "20"}, "PASS", "flat"},
		{"trend leak", []string{"trend", td + "samples-leak.csv", "--from", "20"}, "FAIL", "grew: RSS"},
		{"run failure", []string{"failure", "--screen", td + "screen-failure.txt", "--log", td + "conversation-run-failure.jsonl"}, "PASS", "run failure"},
		{"load failure only", []string{"failure", "--screen", td + "screen-failure.txt", "--log", td + "conversation-load-failure.jsonl"}, "FAIL", "load failure"},
		{"budget", []string{"budget", "--screen", td + "screen-failure.txt", "--log", td + "conversation-run-failure.jsonl",
			"--samples", td + "samples-flat.csv", "--budget-mib", "4078"}, "PASS", "peak VRAM 2400 MiB of a 4078 MiB budget"},
		{"budget exceeded", []string{"budget", "--screen", td + "screen-failure.txt", "--log", td + "conversation-run-failure.jsonl",
			"--samples", td + "samples-flat.csv", "--budget-mib", "2000"}, "FAIL", "above the budget"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			verdict := filepath.Join(t.TempDir(), "verdict")
			args := append([]string{"gpucheck/report.py"}, c.args...)
			out, err := exec.Command("python3", append(args, "--gpu", "--verdict", verdict)...).CombinedOutput()
			if err != nil {
				t.Fatalf("report.py %s: %v\n%s", c.args[0], err, out)
			}
			got, err := os.ReadFile(verdict)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(got), c.want+"\t") || !strings.Contains(string(got), c.has) {
				t.Errorf("verdict %q; want %s with %q", got, c.want, c.has)
			}
		})
	}
}
