package bench

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestSoakVerdict(t *testing.T) {
	tests := []struct {
		name    string
		rss     func(int64) float64
		gpu     func(int64) float64
		verdict string
		reason  string
	}{
		{"flat", flat(300), flat(900), Pass, ""},
		{"flat, no NVML", flat(300), flat(-1), Pass, ""},
		{"RSS grows", func(n int64) float64 { return 300 + 20*float64(n) }, flat(-1), Fail, "RSS grew"},
		{"GPU grows", flat(300), func(n int64) float64 { return 2350 + 50*float64(n) }, Fail, "GPU memory grew"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var switches atomic.Int64
			load := SoakLoad{Name: "m", Run: (&fakeEngine{perBatch: time.Millisecond}).run, Inputs: seconds("s", 3, 0.1)}
			rep, err := Soak(context.Background(), []SoakLoad{load}, SoakOptions{
				Duration: 300 * time.Millisecond, SwitchEvery: 50 * time.Millisecond, SampleEvery: 10 * time.Millisecond,
				Switch: func(context.Context, int) error { switches.Add(1); return nil },
				Probe:  &fakeProbe{rss: tc.rss, gpu: tc.gpu},
			})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Verdict != tc.verdict || !strings.Contains(strings.Join(rep.Reasons, ";"), tc.reason) {
				t.Fatalf("verdict %s %v, want %s %q; %+v", rep.Verdict, rep.Reasons, tc.verdict, tc.reason, rep)
			}
			if rep.Runs == 0 || rep.Switches < 2 || int64(rep.Switches) != switches.Load() || !rep.RSS.Known {
				t.Errorf("runs %d switches %d (%d called), rss %+v", rep.Runs, rep.Switches, switches.Load(), rep.RSS)
			}
			if rep.GPU.Known != (tc.gpu(1) >= 0) {
				t.Errorf("GPU trend %+v", rep.GPU)
			}
		})
	}
}

func TestSoakCountsErrors(t *testing.T) {
	load := SoakLoad{Name: "m", Run: (&fakeEngine{failOn: "s#1"}).run, Inputs: seconds("s", 2, 0.1)}
	rep, err := Soak(context.Background(), []SoakLoad{load}, SoakOptions{
		Duration: 100 * time.Millisecond, Probe: &fakeProbe{rss: flat(10), gpu: flat(-1)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Errors == 0 || rep.Verdict != Fail || !strings.Contains(rep.FirstErrors[0], "fake failure on s#1") {
		t.Errorf("%+v", rep)
	}
	var b strings.Builder
	if err := WriteSoakText(&b, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Verdict: FAIL") || !strings.Contains(b.String(), "GPU  N/A") {
		t.Errorf("soak text:\n%s", b.String())
	}
}

// sawtooth samples a minute of memory (minutes, MiB) that live switches
// move between low and high every quarter, plus leak MiB per minute.
func sawtooth(low, high, leak float64) (t, v []float64) {
	for i := range 100 {
		x := float64(i) / 100
		y := low
		if (i/25)%2 == 1 {
			y = high
		}
		t, v = append(t, x), append(v, y+leak*x)
	}
	return t, v
}

// TestTrendIgnoresTheSawtoothOfSwitching: a run that ends in the high part
// of the sawtooth does not grow (a slope fitted over it says +450 MiB/min),
// while troughs that rise do.
func TestTrendIgnoresTheSawtoothOfSwitching(t *testing.T) {
	tr := trend(sawtooth(300, 900, 0))
	if tr.GrowthMiB != 0 || tr.SlopeMiBPerMin < 100 {
		t.Errorf("no leak: growth %.1f MiB, slope %.1f MiB/min; want growth 0 whatever the slope", tr.GrowthMiB, tr.SlopeMiBPerMin)
	}
	if tr := trend(sawtooth(300, 900, 150)); tr.GrowthMiB < 64 {
		t.Errorf("leaking 150 MiB/min: growth %.1f MiB, want over 64", tr.GrowthMiB)
	}
	if tr := trend(sawtooth(900, 300, 0)); tr.GrowthMiB != 0 {
		t.Errorf("ending low: growth %.1f MiB, want 0", tr.GrowthMiB)
	}
}

// TestSoakNotesAShortRun: a run whose thirds are shorter than two switch
// periods says so.
func TestSoakNotesAShortRun(t *testing.T) {
	load := SoakLoad{Name: "m", Run: (&fakeEngine{}).run, Inputs: seconds("s", 2, 0.1)}
	rep, err := Soak(context.Background(), []SoakLoad{load}, SoakOptions{Duration: 100 * time.Millisecond,
		SwitchEvery: 40 * time.Millisecond, Switch: func(context.Context, int) error { return nil },
		Probe: &fakeProbe{rss: flat(10), gpu: flat(-1)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "fewer than two switch periods") {
		t.Errorf("notes %q", rep.Notes)
	}
}
