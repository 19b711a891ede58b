// Package doctor is `parley doctor`: what parley found on this machine
// (configuration, audio, ONNX Runtime, GPUs, the engines it would choose
// and the language model), and whether it can run.
package doctor

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"parley/audio"
	"parley/cli"
	"parley/config"
	"parley/gpu"
	"parley/pipeline/llm"
)

// report collects doctor's findings: sections of lines, and the problems
// that stop parley from running.
type report struct {
	w        io.Writer
	blockers []string
	warnings []string
}

func (r *report) section(title string) { fmt.Fprintf(r.w, "\n%s\n", title) }
func (r *report) line(format string, args ...any) {
	fmt.Fprintf(r.w, "  "+format+"\n", args...)
}
func (r *report) block(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.blockers = append(r.blockers, msg)
	r.line("PROBLEM: %s", msg)
}
func (r *report) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.warnings = append(r.warnings, msg)
	r.line("note: %s", msg)
}

// Run explains what parley found; it fails when parley cannot run.
func Run(ctx context.Context, args []string, w, stderr io.Writer) error {
	path, err := cli.ParseConfigFlag("doctor", args, stderr)
	if err != nil {
		return err
	}
	r := &report{w: w}
	fmt.Fprintln(w, "parley doctor")
	loaded, ok := r.config(ctx, path)
	if ok {
		r.settings(loaded.Config)
		r.audio(ctx, loaded.Config)
		r.onnx(ctx, loaded.Config)
		r.gpus(ctx)
		r.models(ctx, loaded.Config)
	}
	fmt.Fprintln(w)
	if len(r.blockers) > 0 {
		return fmt.Errorf("parley cannot run: %s", strings.Join(r.blockers, "; "))
	}
	fmt.Fprintf(w, "parley can run (%d note(s) above).\n", len(r.warnings))
	return nil
}

func (r *report) config(ctx context.Context, path string) (config.Loaded, bool) {
	r.section("Configuration")
	r.line("defaults: built in (config.toml)")
	loaded, err := cli.LoadConfig(ctx, path)
	if err != nil {
		r.block("%v", err)
		return loaded, false
	}
	if loaded.File == "" {
		r.line("user file: none (looked for --config, ./parley.toml, $XDG_CONFIG_HOME/parley/config.toml)")
	} else {
		r.line("user file: %s", loaded.File)
	}
	return loaded, true
}

func (r *report) audio(ctx context.Context, cfg config.Config) {
	r.section("Audio")
	if cfg.Audio.Backend == "web" {
		r.webAudio(ctx, cfg.Audio)
		return
	}
	devs, err := audio.ListDevices(ctx)
	if err != nil {
		r.block("no audio backend works: %v", err)
		return
	}
	r.line("backend: %s (audio.backend = %q)", devs.Backend, cfg.Audio.Backend)
	if devs.Backend == "null" {
		r.warn("only the null backend works: parley hears silence and plays into nothing (is PulseAudio running? for SSH see the README)")
	}
	if len(devs.Capture) == 0 {
		r.warn("no capture device: use --input FILE.wav or connect a microphone")
	}
	r.probe(ctx, cfg.Audio)
}

func (r *report) onnx(ctx context.Context, cfg config.Config) {
	r.section("ONNX Runtime")
	// The WebGPU probe prints a Vulkan warning on fd 2 whatever ORT's log
	// level; keep it out of the report.
	if restore, err := cli.RedirectStderr(os.DevNull); err == nil {
		defer restore()
	}
	rt, err := gpu.NewRuntime(ctx, gpu.RuntimeOptions{LibraryPath: cfg.ONNX.Library, ProbeWebGPU: true})
	if err != nil {
		r.warn("not loaded: %v (the energy VAD replaces Silero)", err)
		return
	}
	info := rt.Info()
	r.line("library: %s", info.LibraryPath)
	r.line("version: %s", info.Version)
	for _, p := range info.Providers {
		if p.Available {
			r.line("%s execution provider: loads", p.Name)
		} else {
			r.line("%s execution provider: unavailable: %s", p.Name, p.Reason)
		}
	}
}

func (r *report) gpus(ctx context.Context) {
	r.section("GPUs (NVML)")
	mon := gpu.NewMonitor(gpu.MonitorOptions{})
	defer mon.Close()
	snap := mon.Sample(ctx)
	if snap.Unavailable != "" {
		r.line("none: %s", snap.Unavailable)
		return
	}
	for _, g := range snap.GPUs {
		r.line("GPU %d: %s, memory %s / %s MiB", g.Index, g.Name, orNA(g.MemUsedMiB), orNA(g.MemTotalMiB))
	}
}

func orNA(v *float64) string {
	if v == nil {
		return "N/A"
	}
	return fmt.Sprintf("%.0f", *v)
}

// models builds the engines parley would run and checks the language model.
func (r *report) models(ctx context.Context, cfg config.Config) {
	r.section("Models")
	r.engines(ctx, cfg)
	r.llm(ctx, cfg)
}

// llm says who answers and whether the server answers now.
func (r *report) llm(ctx context.Context, cfg config.Config) {
	c := cfg.LLM
	if c.Engine == "offline" {
		r.line("LLM: the offline responder (llm.engine = \"offline\")")
		return
	}
	client, err := llm.NewOpenAI(llm.OpenAIOptions{BaseURL: c.BaseURL, Model: c.Model, APIKey: llm.APIKeyFromEnv()})
	if err != nil {
		r.block("LLM: %v", err)
		return
	}
	probeCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := client.Probe(probeCtx); err != nil {
		if c.Engine == "openai" {
			r.block("LLM: %v (llm.engine = \"openai\" has no offline stand-in)", err)
			return
		}
		r.warn("LLM: %v; the offline responder answers until the server is back", err)
		return
	}
	r.line("LLM: %s at %s answers", c.Model, c.BaseURL)
}
