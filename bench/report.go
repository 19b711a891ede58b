package bench

import (
	"fmt"
	"sort"
	"time"
)

// Report is the result of one benchmark run.
type Report struct {
	// Machine is where it ran (filled by the caller; see DescribeMachine).
	Machine Machine `json:"machine"`
	// Started is when the run began; Seconds how long it took.
	Started time.Time `json:"started"`
	Seconds float64   `json:"seconds"`
	// Options are the settings that shaped the numbers.
	Options OptionsSummary `json:"options"`
	// Rows hold one model, device, batch size and parallelism each.
	Rows []Row `json:"rows"`
	// Checks compare each device's outputs with the reference device's.
	Checks []Check `json:"checks"`
	// Verdict is PASS when every check passed and no row failed, FAIL when
	// any did, SKIP when nothing could be compared.
	Verdict string `json:"verdict"`
	// Notes are remarks for the reader (e.g. how latency is measured).
	Notes []string `json:"notes,omitempty"`
}

// OptionsSummary records the options of a run in the report.
type OptionsSummary struct {
	// DurationSeconds is the time budget of the timed passes.
	DurationSeconds float64 `json:"duration_s"`
	// Repetitions is the most passes over each workload.
	Repetitions int `json:"repetitions"`
	// Warmup is the untimed batches before each row.
	Warmup int `json:"warmup_batches"`
	// Reference is the device the others are compared with.
	Reference string `json:"reference"`
	// Tolerances are the identical-output bounds.
	Tolerances Tolerances `json:"tolerances"`
}

func (o Options) summary() OptionsSummary {
	return OptionsSummary{DurationSeconds: o.Duration.Seconds(), Repetitions: o.Repetitions, Warmup: max(o.Warmup, 0),
		Reference: o.Reference, Tolerances: o.Tolerances.withDefaults()}
}

// Row is one model on one device at one batch size and parallelism.
type Row struct {
	// Model, Kind and Device name the target.
	Model  string `json:"model"`
	Kind   Kind   `json:"kind"`
	Device string `json:"device"`
	// Batch and Parallel are the grid point (0 when the row was not timed).
	Batch    int `json:"batch"`
	Parallel int `json:"parallel"`
	// Missing is why the target could not run here; Error why it failed.
	Missing string `json:"missing,omitempty"`
	Error   string `json:"error,omitempty"`
	// Repetitions is the number of timed passes begun.
	Repetitions int `json:"repetitions"`
	// Loads are the per-workload figures (e.g. 3 s and 5 s chunks).
	Loads []LoadResult `json:"loads,omitempty"`
	// RTF is processing time over audio time, over every workload.
	RTF float64 `json:"rtf"`
	// Throughput is seconds of audio per second ("x real time").
	Throughput float64 `json:"throughput_x"`
	// PeakRSSMiB is the process's resident peak while the row ran.
	PeakRSSMiB float64 `json:"peak_rss_mib"`
	// PeakGPUMiB is the process's GPU memory peak (NVML), -1 when unknown.
	PeakGPUMiB float64 `json:"peak_gpu_mib"`
	// Speedup is how many times faster this row is than the same model,
	// batch and parallelism on the reference device (the GPU/CPU ratio);
	// 0 on the reference itself or when either side is missing.
	Speedup float64 `json:"speedup_vs_reference"`
}

// OK reports whether the row has numbers.
func (r Row) OK() bool { return r.Missing == "" && r.Error == "" && r.Repetitions > 0 }

// LoadResult is one workload's figures in a row.
type LoadResult struct {
	// Name is the workload, e.g. "3s".
	Name string `json:"name"`
	// Items is the number of inputs timed, over all repetitions.
	Items int `json:"items"`
	// AudioSeconds and WallSeconds are the audio processed and the time it took.
	AudioSeconds float64 `json:"audio_s"`
	WallSeconds  float64 `json:"wall_s"`
	// RTF and Throughput as in Row.
	RTF        float64 `json:"rtf"`
	Throughput float64 `json:"throughput_x"`
	// Latency is the per-item latency (its batch's service time).
	Latency Latency `json:"latency"`
}

// fill computes the row's figures from the tallies.
func (r *Row) fill(loads []Workload, tallies []tally) {
	var wall time.Duration
	var audio float64
	for i, t := range tallies {
		r.Loads = append(r.Loads, LoadResult{Name: loads[i].Name, Items: t.items, AudioSeconds: t.audio,
			WallSeconds: t.wall.Seconds(), RTF: RTF(t.wall, t.audio), Throughput: Throughput(t.wall, t.audio),
			Latency: Latencies(t.latency)})
		wall += t.wall
		audio += t.audio
	}
	r.RTF, r.Throughput = RTF(wall, audio), Throughput(wall, audio)
}

// rowKey pairs rows of one model at one grid point across devices.
func rowKey(r Row) string {
	return fmt.Sprintf("%s|%s|%d|%d", r.Kind, r.Model, r.Batch, r.Parallel)
}

// setSpeedups fills Speedup of every timed non-reference row whose
// reference row was timed too.
func setSpeedups(rows []Row, reference string) {
	ref := map[string]float64{}
	for _, r := range rows {
		if r.Device == reference && r.OK() {
			ref[rowKey(r)] = r.RTF
		}
	}
	for i, r := range rows {
		if r.Device != reference && r.OK() {
			rows[i].Speedup = Speedup(ref[rowKey(r)], r.RTF)
		}
	}
}

// checks compares every device's verification outputs with the
// reference's, model by model; devices that did not run get a SKIP with
// the reason.
func (r *runner) checks() []Check {
	var out []Check
	for _, t := range r.plan.Targets {
		if t.Device == r.opts.Reference || len(r.plan.Verify[t.Kind]) == 0 {
			continue
		}
		out = append(out, r.check(t))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Model < out[j].Model })
	return out
}

func (r *runner) check(t Target) Check {
	ref := Target{Model: t.Model, Device: r.opts.Reference}.Name()
	skip := func(why string) Check {
		return Check{Model: t.Model, Kind: t.Kind, Device: t.Device, Reference: r.opts.Reference, Verdict: Skip,
			Reason: why, MaxAbsDiff: -1, MinCorrelation: -1}
	}
	switch {
	case t.Missing != "":
		return skip(t.Missing)
	case r.failed[t.Name()] != "":
		c := skip("")
		c.Verdict, c.Reason = Fail, "run failed: "+r.failed[t.Name()]
		return c
	case r.outputs[ref] == nil:
		return skip("no " + r.opts.Reference + " outputs to compare with")
	case r.outputs[t.Name()] == nil:
		return skip(t.Name() + " did not run")
	}
	c := Compare(t.Kind, r.plan.Verify[t.Kind], r.outputs[ref], r.outputs[t.Name()], r.opts.Tolerances)
	c.Model, c.Device, c.Reference = t.Model, t.Device, r.opts.Reference
	return c
}

// overall is FAIL when a check failed or a row errored, PASS when some
// check passed, SKIP otherwise.
func overall(rep *Report) string {
	verdict := Skip
	for _, r := range rep.Rows {
		if r.Error != "" {
			return Fail
		}
	}
	for _, c := range rep.Checks {
		switch c.Verdict {
		case Fail:
			return Fail
		case Pass:
			verdict = Pass
		}
	}
	return verdict
}
