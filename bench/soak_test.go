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
