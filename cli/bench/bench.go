// Package bench is `parley bench`: every installed model on every device
// over the same audio (speed, latency, memory, identical outputs), or, with
// --soak, a long run with live device switches.
package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"parley/app"
	"parley/bench"
	"parley/cli"
)

const benchUsage = `Usage: parley bench [flags]

Runs each installed model on each device over the same audio and reports,
per model, device, batch size and parallelism: the real-time factor (RTF),
the throughput (x real time), the latency of 3 s and 5 s chunks (p50, p95,
p99), the peak resident and GPU memory of this process, and the GPU/CPU
speed ratio. It then compares each device's outputs with the CPU's
(identical text, max abs logit/probability difference, audio correlation)
and states PASS or FAIL (exit status 1 on FAIL).

The audio is flite speech made on the spot plus the librivox clips of
pocketsphinx-testdata when installed, or the WAV files of --audio.
A device that cannot be used gets a row that says why.

With --soak, it instead transcribes looped audio for that long, moving the
models between the devices every --switch-every, and fails when memory or
goroutines grow beyond the bounds.

Flags:
`

// benchOptions are the flags of `parley bench`.
type benchOptions struct {
	configPath    string
	kinds         []string
	devices       []string
	batches       []int
	parallels     []int
	audio         []string
	asrModels     []string
	ttsModel      string
	duration      time.Duration
	repetitions   int
	jsonPath      string
	markdownPath  string
	ascii         bool
	tolerances    bench.Tolerances
	soak          time.Duration
	switchEvery   time.Duration
	maxGrowthMiB  float64
	maxGPUGrowth  float64
	maxGoroutines int
}

// parseBenchFlags parses bench's own flags.
func parseBenchFlags(args []string, stderr io.Writer) (benchOptions, error) {
	var o benchOptions
	var l benchLists
	fs := benchFlags(&o, &l)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return o, cli.Usage(err)
	}
	if fs.NArg() > 0 {
		return o, cli.Usage(fmt.Errorf("bench: unexpected argument %q", fs.Arg(0)))
	}
	o.kinds, o.devices, o.audio, o.asrModels = splitList(l.kinds), splitList(l.devices), splitList(l.audio), splitList(l.asrModels)
	var err error
	if o.batches, err = intList("--batch", l.batches); err == nil {
		o.parallels, err = intList("--parallel", l.parallels)
	}
	if err == nil {
		err = o.validate()
	}
	return o, cli.Usage(err)
}

// benchLists are the comma-separated flags before they are split.
type benchLists struct {
	kinds, devices, batches, parallels, audio, asrModels string
}

// benchFlags defines bench's flags over o and l.
func benchFlags(o *benchOptions, l *benchLists) *flag.FlagSet {
	fs := flag.NewFlagSet("parley bench", flag.ContinueOnError)
	fs.StringVar(&o.configPath, "config", "", "configuration `file` applied over the defaults")
	fs.StringVar(&l.kinds, "models", "asr,tts,vad", "model `kinds` to run: asr, tts, vad")
	fs.StringVar(&l.devices, "devices", "cpu,cuda:0", "`devices` to compare, the CPU first")
	fs.StringVar(&l.batches, "batch", "1,4", "batch `sizes` for engines that batch (ONNX ASR)")
	fs.StringVar(&l.parallels, "parallel", "1,2", "runs in flight at once, for engines safe to run in parallel")
	fs.StringVar(&l.audio, "audio", "", "WAV `file or folder` (comma-separated) instead of the generated speech")
	fs.StringVar(&l.asrModels, "asr-model", "", "SenseVoice or Paraformer model `folder` (comma-separated) besides the installed ones")
	fs.StringVar(&o.ttsModel, "tts-model", "", "Piper voice (`X.onnx` or its folder) besides the installed ones")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "time budget of the timed runs (loading and warm-up come on top)")
	fs.IntVar(&o.repetitions, "reps", 3, "most timed passes over the audio per row")
	fs.StringVar(&o.jsonPath, "json", "", "also write the report as JSON to `file`")
	fs.StringVar(&o.markdownPath, "markdown", "", "also write the report as Markdown to `file` (for docs/benchmarks.md)")
	fs.BoolVar(&o.ascii, "ascii", false, "draw bars with ASCII characters (default: ui.unicode)")
	fs.Float64Var(&o.tolerances.MaxAbsDiff, "max-diff", 0.05, "largest logit or probability difference that still passes")
	fs.Float64Var(&o.tolerances.MinCorrelation, "min-corr", 0.99, "least TTS audio correlation that still passes")
	fs.DurationVar(&o.soak, "soak", 0, "run the stability test for this `long` instead (e.g. 30m)")
	fs.DurationVar(&o.switchEvery, "switch-every", 10*time.Second, "with --soak, move the models between devices this often")
	fs.Float64Var(&o.maxGrowthMiB, "max-growth", 64, "with --soak, the RSS growth in `MiB` that fails")
	fs.Float64Var(&o.maxGPUGrowth, "max-gpu-growth", 64, "with --soak, the GPU memory growth in `MiB` that fails")
	fs.IntVar(&o.maxGoroutines, "max-goroutines", 10, "with --soak, the goroutine growth that fails")
	fs.Usage = func() { fmt.Fprint(fs.Output(), benchUsage); fs.PrintDefaults() }
	return fs
}

// validate checks the values that parsing alone cannot.
func (o benchOptions) validate() error {
	for _, k := range o.kinds {
		if !slices.Contains([]string{"asr", "tts", "vad"}, k) {
			return fmt.Errorf("bench: --models %q; allowed: asr, tts, vad", k)
		}
	}
	for i, d := range o.devices {
		var err error
		if o.devices[i], err = cli.ParseDevice("bench: --devices", d); err != nil {
			return err
		}
	}
	switch {
	case len(o.kinds) == 0 || len(o.devices) == 0:
		return fmt.Errorf("bench: --models and --devices need at least one value")
	case o.duration <= 0 || o.repetitions < 1:
		return fmt.Errorf("bench: --duration and --reps must be positive")
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// intList parses "1,2,4" into positive integers.
func intList(flagName, s string) ([]int, error) {
	var out []int
	for _, f := range splitList(s) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bench: %s %q; want positive integers like 1,2,4", flagName, f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("bench: %s needs at least one value", flagName)
	}
	return out, nil
}

// Run runs `parley bench`.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseBenchFlags(args, stderr)
	if err != nil {
		return err
	}
	env, err := openBenchEnv(ctx, o)
	if err != nil {
		return err
	}
	defer env.s.Close()
	if o.soak > 0 {
		return env.soak(ctx, stdout, stderr)
	}
	return env.bench(ctx, stdout, stderr)
}

// benchEnv is what a benchmark run builds once: the configuration, ONNX
// Runtime and NVML (as the assistant builds them), and the audio.
type benchEnv struct {
	o          benchOptions
	s          *app.Engines
	check      bench.GPUCheck
	utterances []bench.Input
	source     string // what the audio is, for the report
}

func openBenchEnv(ctx context.Context, o benchOptions) (*benchEnv, error) {
	loaded, err := cli.LoadConfig(ctx, o.configPath)
	if err != nil {
		return nil, err
	}
	// No roles: only the runtime and the monitor. A missing runtime is a
	// notice, and the rows say why.
	s, err := app.OpenEngines(ctx, loaded.Config, 0)
	if err != nil {
		return nil, err
	}
	env := &benchEnv{o: o, s: s, check: bench.GPUCheck{Runtime: s.Runtime, Monitor: s.Monitor, Disabled: !s.Config.GPU.Enabled}}
	if s.Runtime == nil {
		env.check.RuntimeErr = errors.New(strings.Join(s.Notices, "; "))
	}
	if !o.ascii {
		env.o.ascii = !s.Config.UI.Unicode
	}
	if env.utterances, env.source, err = benchAudio(ctx, o, s.Config.TTS.Flite.Voice); err != nil {
		_ = s.Close()
		return nil, err
	}
	return env, nil
}

// benchAudio is the user's WAV files, or flite speech plus the librivox
// clips of pocketsphinx-testdata when installed.
func benchAudio(ctx context.Context, o benchOptions, voice string) ([]bench.Input, string, error) {
	if len(o.audio) > 0 {
		in, err := bench.WAVInputs(o.audio)
		return in, "WAV files: " + strings.Join(o.audio, ", "), err
	}
	in, err := bench.FliteSpeech(ctx, voice, bench.Sentences())
	if err != nil {
		return nil, "", err
	}
	clips, err := bench.LibrivoxClips(librivoxDir)
	if err != nil {
		return nil, "", err
	}
	source := fmt.Sprintf("%d flite/%s sentences", len(in), voice)
	if len(clips) > 0 {
		source += fmt.Sprintf(" and %d librivox clips (pocketsphinx-testdata)", len(clips))
	}
	return append(in, clips...), source, nil
}

// librivoxDir holds Debian's pocketsphinx-testdata clips.
const librivoxDir = "/usr/share/pocketsphinx/test/data/librivox"

// bench runs the benchmark and writes its reports.
func (e *benchEnv) bench(ctx context.Context, stdout, stderr io.Writer) error {
	plan := e.plan(ctx)
	progress := cli.NewProgress(stderr, "bench", cli.ProgressOptions{Unicode: !e.o.ascii})
	plan.Options.OnProgress = progress.Step
	rep, err := bench.Run(ctx, plan)
	progress.Done()
	if err != nil {
		return err
	}
	rep.Machine = e.machine(ctx)
	rep.Notes = e.notes(plan)
	return e.publish(stdout, rep, rep.Verdict, "bench: FAIL",
		func(w io.Writer) error { return bench.WriteText(w, rep, bench.TextOptions{ASCII: e.o.ascii}) },
		func(w io.Writer) error { return bench.WriteMarkdown(w, rep) })
}

// plan is every target and the audio they share.
func (e *benchEnv) plan(ctx context.Context) bench.Plan {
	stream := bench.Stream(e.utterances)
	chunks := []bench.Workload{bench.Chunks("3s", stream, 3), bench.Chunks("5s", stream, 5)}
	sentences := bench.TextInputs(bench.Sentences())
	return bench.Plan{
		Targets:   e.selection().Targets(ctx),
		Workloads: map[bench.Kind][]bench.Workload{bench.KindASR: chunks, bench.KindVAD: chunks, bench.KindTTS: {{Name: "sentence", Inputs: sentences}}},
		Verify:    map[bench.Kind][]bench.Input{bench.KindASR: e.utterances, bench.KindVAD: e.utterances, bench.KindTTS: sentences},
		Options:   bench.Options{Duration: e.o.duration, Repetitions: e.o.repetitions, Tolerances: e.o.tolerances, Probe: e.probe()},
	}
}

// probe reads this process's memory, and its GPU memory on the first GPU
// of --devices when NVML works.
func (e *benchEnv) probe() bench.ProcessProbe {
	p := bench.ProcessProbe{}
	for _, d := range e.o.devices {
		if idx, ok := strings.CutPrefix(d, "cuda:"); ok && e.s.Monitor.Err() == nil {
			p.GPU = e.s.Monitor
			p.Index, _ = strconv.Atoi(idx)
			break
		}
	}
	return p
}

// selection is what --models, --devices and the rest select.
func (e *benchEnv) selection() bench.Selection {
	cfg := e.s.Config
	sel := bench.Selection{Devices: e.o.devices, Batches: e.o.batches, Parallels: e.o.parallels,
		Check: e.check, Pocketsphinx: app.PocketsphinxOptions(cfg, e.s.StateDir), FliteVoice: cfg.TTS.Flite.Voice,
		ASRModels: e.o.asrModels, TTSModels: []string{e.o.ttsModel}}
	if e.s.Runtime != nil {
		sel.Loader = e.s.Runtime
	}
	for _, k := range e.o.kinds {
		sel.Kinds = append(sel.Kinds, bench.Kind(k))
	}
	var missing error
	sel.SileroModel, missing = app.SileroModel(cfg)
	if missing != nil {
		sel.SileroMissing = missing.Error()
	}
	return sel
}

// machine describes this machine for the report.
func (e *benchEnv) machine(ctx context.Context) bench.Machine {
	snap := e.s.Monitor.Sample(ctx)
	if e.s.Runtime == nil {
		return bench.DescribeMachine(nil, snap)
	}
	info := e.s.Runtime.Info()
	return bench.DescribeMachine(&info, snap)
}

// notes explain the figures and the audio.
func (e *benchEnv) notes(plan bench.Plan) []string {
	chunks := plan.Workloads[bench.KindASR]
	return []string{
		fmt.Sprintf("audio: %s (%.0f s), cut into %d chunks of 3 s and %d of 5 s for ASR and VAD; "+
			"TTS speaks %d sentences; outputs are compared over the %d whole utterances",
			e.source, bench.TotalSeconds(e.utterances), len(chunks[0].Inputs), len(chunks[1].Inputs),
			len(plan.Workloads[bench.KindTTS][0].Inputs), len(e.utterances)),
		"RTF = processing time / audio time (lower is faster); x RT = its inverse; " +
			"latency is each item's batch service time (every chunk is ready at the start, so queueing is not counted)",
		"peak RSS is the process's high-water mark while the row ran (models loaded before it included); " +
			"peak GPU is this process's memory on the GPU as NVML reports it",
	}
}

// publish prints report v with text, writes it as JSON to --json and with
// md as Markdown to --markdown, and returns failed when verdict is FAIL.
func (e *benchEnv) publish(stdout io.Writer, v any, verdict, failed string, text, md func(io.Writer) error) error {
	if err := text(stdout); err != nil {
		return err
	}
	if err := writeFile(e.o.jsonPath, func(w io.Writer) error { return bench.WriteJSON(w, v) }); err != nil {
		return err
	}
	if err := writeFile(e.o.markdownPath, md); err != nil {
		return err
	}
	if verdict == bench.Fail {
		return errors.New(failed)
	}
	return nil
}

// writeFile creates path ("" writes nothing) and fills it with write.
func writeFile(path string, write func(io.Writer) error) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}
