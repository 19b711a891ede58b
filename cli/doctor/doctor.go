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

	"parley/app"
	"parley/audio"
	"parley/cli"
	"parley/config"
	"parley/gpu"
	"parley/pipeline/asr"
	"parley/pipeline/llm"
	"parley/pipeline/tts"
	"parley/pipeline/turn"
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
		r.audio(ctx, loaded.Config)
		rt := r.onnx(ctx, loaded.Config)
		r.gpus(ctx)
		r.models(ctx, loaded.Config, rt)
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
	devs, err := audio.ListDevices(ctx)
	if err != nil {
		r.block("no audio backend works: %v", err)
		return
	}
	r.line("backend: %s (audio.backend = %q)", devs.Backend, cfg.Audio.Backend)
	r.line("default capture: %s", defaultName(devs.Capture))
	r.line("default playback: %s", defaultName(devs.Playback))
	if devs.Backend == "null" {
		r.warn("only the null backend works: parley hears silence and plays into nothing (is PulseAudio running? for SSH see the README)")
	}
	if len(devs.Capture) == 0 {
		r.warn("no capture device: use --input FILE.wav or connect a microphone")
	}
}

func defaultName(list []audio.DeviceInfo) string {
	for _, d := range list {
		if d.Default {
			return d.Name
		}
	}
	if len(list) > 0 {
		return list[0].Name + " (first listed)"
	}
	return "none"
}

func (r *report) onnx(ctx context.Context, cfg config.Config) *gpu.Runtime {
	r.section("ONNX Runtime")
	// The WebGPU probe prints a Vulkan warning on fd 2 whatever ORT's log
	// level; keep it out of the report.
	if restore, err := cli.RedirectStderr(os.DevNull); err == nil {
		defer restore()
	}
	rt, err := gpu.NewRuntime(ctx, gpu.RuntimeOptions{LibraryPath: cfg.ONNX.Library, ProbeWebGPU: true})
	if err != nil {
		r.warn("not loaded: %v (the energy VAD replaces Silero)", err)
		return nil
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
	return rt
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

func (r *report) models(ctx context.Context, cfg config.Config, rt *gpu.Runtime) {
	r.section("Models")
	facts := app.MachineFacts(rt != nil)
	choose := []struct {
		role string
		pick func(config.Config, app.Facts) (app.Choice, error)
	}{{"VAD", app.ChooseVAD}, {"ASR", app.ChooseASR}, {"TTS", app.ChooseTTS}, {"turn", app.ChooseTurn}}
	for _, c := range choose {
		choice, err := c.pick(cfg, facts)
		if err != nil {
			r.block("%s: %v", c.role, err)
			continue
		}
		r.line("%s: %s", c.role, choice.Reason)
		if choice.Engine == "pocketsphinx" {
			r.asrModel(ctx, cfg)
		}
		if choice.Engine == "flite" {
			r.ttsVoice(ctx, cfg)
		}
		if choice.Engine == "smart-turn" {
			r.turnModel(ctx, rt, choice.Files.ONNX)
		}
	}
	r.llm(ctx, cfg)
}

// turnModel loads the Smart Turn model on the CPU and checks its contract.
func (r *report) turnModel(ctx context.Context, rt *gpu.Runtime, path string) {
	m, err := rt.NewModel(ctx, gpu.ModelSpec{Name: "turn", Path: path, Device: "cpu"})
	if err == nil {
		err = turn.CheckSmartTurn(m.Info())
		_ = m.Close()
	}
	if err != nil {
		r.block("turn: Smart Turn model %s (turn.model): %v", path, err)
		return
	}
	r.line("      the model loads and follows the Smart Turn v3 contract")
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

func (r *report) asrModel(ctx context.Context, cfg config.Config) {
	ps := cfg.ASR.Pocketsphinx
	engine, err := asr.NewPocketsphinx(ctx, asr.PocketsphinxOptions{
		ModelDir: ps.ModelDir, Dict: ps.Dict, LM: ps.LM, LogFile: os.DevNull,
	})
	if err != nil {
		r.block("ASR: %v", err)
		return
	}
	_ = engine.Close()
	r.line("     pocketsphinx en-us model %s loads", ps.ModelDir)
}

func (r *report) ttsVoice(ctx context.Context, cfg config.Config) {
	engine, err := tts.NewFlite(ctx, tts.FliteOptions{Voice: cfg.TTS.Flite.Voice})
	if err != nil {
		r.block("TTS: %v", err)
		return
	}
	_ = engine.Close()
	r.line("     %s loads", engine.Name())
}
