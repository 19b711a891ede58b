// Command parley is a terminal voice assistant: it listens, transcribes,
// answers and speaks, and shows the pipeline and the GPU while it does.
//
// Usage:
//
//	parley [flags]            open the TUI on the default microphone and speakers
//	parley --headless [flags] print one line per event instead of the TUI
//	parley devices            list capture and playback devices
//	parley doctor             explain what parley found and whether it can run
//	parley transcribe FILE... print transcripts (--json for segments, device, RTF)
//	parley models list|pull|verify   the model catalog: download, check, install
//	parley bench              CPU vs GPU: speed, memory, identical outputs
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"parley/config"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	name, rest := "", args
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, rest = args[0], args[1:]
	}
	opts, err := parseFlags(name, rest, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "parley:", err)
		return 2
	}
	if err := dispatch(ctx, name, opts, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "parley:", err)
		return 1
	}
	return 0
}

func dispatch(ctx context.Context, name string, opts options, stdout, stderr io.Writer) error {
	switch name {
	case "devices":
		return listDevices(ctx, stdout)
	case "doctor":
		return doctor(ctx, opts, stdout)
	case "bench":
		return benchCommand(ctx, opts.args, stdout, stderr)
	case "models":
		return modelsCommand(ctx, opts.args, stdout, stderr)
	case "transcribe":
		return transcribeCommand(ctx, opts.args, stdout, stderr)
	case "":
		loaded, err := config.Load(defaultConfig, config.DefaultLocations(opts.configPath))
		if err != nil {
			return err
		}
		if opts.headless {
			return runHeadless(ctx, loaded, opts, stdout)
		}
		return runTUI(ctx, loaded, opts, stderr)
	}
	return fmt.Errorf("unknown command %q; commands: devices, doctor, transcribe, models, bench (or none to start parley)", name)
}
