package bench

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"
)

func TestRunTimesAndRatio(t *testing.T) {
	cpu, gpu := &fakeEngine{perBatch: 40 * time.Millisecond}, &fakeEngine{perBatch: 10 * time.Millisecond}
	plan := Plan{
		Targets:   []Target{fakeTarget("m", "cpu", cpu), fakeTarget("m", "cuda:0", gpu)},
		Workloads: map[Kind][]Workload{KindASR: {{Name: "1s", Inputs: seconds("1s", 4, 1)}}},
		Options:   Options{Duration: 10 * time.Second, Repetitions: 2, Probe: &fakeProbe{rss: flat(100), gpu: flat(-1)}},
	}
	rep, err := Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 2 {
		t.Fatalf("rows = %+v", rep.Rows)
	}
	c, g := rep.Rows[0], rep.Rows[1]
	for _, r := range rep.Rows {
		if !r.OK() || r.Repetitions != 2 || r.Loads[0].Items != 8 || r.Loads[0].AudioSeconds != 8 {
			t.Fatalf("row %+v", r)
		}
	}
	within(t, "cpu RTF", c.RTF, 0.04, 0.07)
	within(t, "gpu RTF", g.RTF, 0.01, 0.025)
	within(t, "cpu p50 ms", c.Loads[0].Latency.P50, 40, 60)
	within(t, "cpu throughput", c.Throughput, 1/0.07, 1/0.04)
	within(t, "speedup", g.Speedup, 2.2, 4.5)
	if c.Speedup != 0 || c.PeakRSSMiB != 100 || c.PeakGPUMiB != -1 {
		t.Errorf("cpu row %+v", c)
	}
	if cpu.runs.Load() != 9 { // 1 warm-up + 2 repetitions of 4
		t.Errorf("cpu runs = %d, want 9", cpu.runs.Load())
	}
}

func within(t *testing.T, what string, got, lo, hi float64) {
	t.Helper()
	if got < lo || got > hi || math.IsNaN(got) {
		t.Errorf("%s = %g, want %g..%g", what, got, lo, hi)
	}
}

func TestRunBatchAndParallel(t *testing.T) {
	f := &fakeEngine{perBatch: 30 * time.Millisecond}
	target := fakeTarget("m", "cpu", f)
	target.Batches, target.Parallels = []int{1, 4}, []int{1, 2}
	plan := Plan{
		Targets:   []Target{target},
		Workloads: map[Kind][]Workload{KindASR: {{Name: "1s", Inputs: seconds("1s", 8, 1)}}},
		Options:   Options{Duration: 20 * time.Second, Repetitions: 1, Warmup: -1},
	}
	rep, err := Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	want := map[[2]int]float64{{1, 1}: 8 * 0.03, {1, 2}: 4 * 0.03, {4, 1}: 2 * 0.03, {4, 2}: 0.03}
	for _, r := range rep.Rows {
		w := want[[2]int{r.Batch, r.Parallel}]
		within(t, rowLabel(r)+" wall", r.Loads[0].WallSeconds, w, w*1.6+0.02)
		within(t, rowLabel(r)+" p50", r.Loads[0].Latency.P50, 30, 60)
	}
	if len(rep.Rows) != 4 {
		t.Fatalf("%d rows, want 4", len(rep.Rows))
	}
}

func TestRunBudgetCutsPasses(t *testing.T) {
	f := &fakeEngine{perBatch: 20 * time.Millisecond}
	plan := Plan{
		Targets:   []Target{fakeTarget("m", "cpu", f)},
		Workloads: map[Kind][]Workload{KindASR: {{Name: "1s", Inputs: seconds("1s", 100, 1)}}},
		Options:   Options{Duration: 200 * time.Millisecond, Repetitions: 5},
	}
	began := time.Now()
	rep, err := Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(began); el > 1500*time.Millisecond {
		t.Errorf("run took %s with a 200ms budget", el)
	}
	r := rep.Rows[0]
	if r.Repetitions != 1 || r.Loads[0].Items < 5 || r.Loads[0].Items > 20 {
		t.Errorf("repetitions %d, items %d", r.Repetitions, r.Loads[0].Items)
	}
}

func TestIdenticalOutputs(t *testing.T) {
	verify := seconds("utt", 3, 0.5)
	tests := []struct {
		name, differ, verdict string
	}{
		{"same", "", Pass},
		{"one utterance differs", "utt#1", Fail},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := Plan{
				Targets: []Target{fakeTarget("m", "cpu", &fakeEngine{}),
					fakeTarget("m", "cuda:0", &fakeEngine{differOn: tc.differ})},
				Workloads: map[Kind][]Workload{KindASR: {{Name: "1s", Inputs: seconds("1s", 2, 1)}}},
				Verify:    map[Kind][]Input{KindASR: verify},
				Options:   Options{Duration: time.Second, Repetitions: 1},
			}
			rep, err := Run(context.Background(), plan)
			if err != nil {
				t.Fatal(err)
			}
			c := rep.Checks[0]
			if c.Verdict != tc.verdict || rep.Verdict != tc.verdict || c.Items != 3 {
				t.Fatalf("check %+v, report verdict %s", c, rep.Verdict)
			}
			if tc.verdict == Pass {
				if c.MaxAbsDiff != 0 || len(c.TextDiffs) != 0 {
					t.Errorf("check %+v", c)
				}
				return
			}
			want := TextDiff{ID: "utt#1", Reference: "text of utt#1", Got: "text of utt#1 (different)"}
			if len(c.TextDiffs) != 1 || c.TextDiffs[0] != want || c.MaxAbsDiff != 0.5 {
				t.Errorf("check %+v", c)
			}
			var b strings.Builder
			if err := WriteText(&b, rep, TextOptions{}); err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{`cpu "text of utt#1"`, `cuda:0 "text of utt#1 (different)"`, "Verdict: FAIL"} {
				if !strings.Contains(b.String(), s) {
					t.Errorf("text report lacks %q:\n%s", s, b.String())
				}
			}
		})
	}
}

func TestMissingAndFailingTargets(t *testing.T) {
	missing := Target{Model: "m", Kind: KindASR, Device: "cuda:0", Missing: "no GPU: NVML library not found"}
	failing := fakeTarget("m", "cuda:1", &fakeEngine{failOn: "1s#1"})
	plan := Plan{
		Targets:   []Target{fakeTarget("m", "cpu", &fakeEngine{}), missing, failing},
		Workloads: map[Kind][]Workload{KindASR: {{Name: "1s", Inputs: seconds("1s", 3, 1)}}},
		Verify:    map[Kind][]Input{KindASR: seconds("utt", 2, 0.5)},
		Options:   Options{Duration: time.Second, Repetitions: 1},
	}
	rep, err := Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Rows[1]; r.Missing != missing.Missing || r.OK() {
		t.Errorf("missing row %+v", r)
	}
	if r := rep.Rows[2]; !strings.Contains(r.Error, "fake failure on 1s#1") {
		t.Errorf("failing row %+v", r)
	}
	if c := rep.Checks[0]; c.Device != "cuda:0" || c.Verdict != Skip || c.Reason != missing.Missing {
		t.Errorf("check %+v", c)
	}
	if rep.Verdict != Fail {
		t.Errorf("verdict %s, want FAIL (a row failed)", rep.Verdict)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	plan := Plan{
		Targets:   []Target{fakeTarget("m", "cpu", &fakeEngine{perBatch: time.Second})},
		Workloads: map[Kind][]Workload{KindASR: {{Name: "1s", Inputs: seconds("1s", 3, 1)}}},
	}
	if _, err := Run(ctx, plan); err == nil {
		t.Fatal("no error after cancel")
	}
}
