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
//
// main only dispatches: each command is a package under cli/ with
// Run(ctx, args, stdout, stderr), and the application it runs is app/.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"parley/cli"
	"parley/cli/assistant"
	"parley/cli/bench"
	"parley/cli/devices"
	"parley/cli/doctor"
	"parley/cli/models"
	"parley/cli/transcribe"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// runFunc is a command: its arguments, then where it prints.
type runFunc func(ctx context.Context, args []string, stdout, stderr io.Writer) error

// commands are the subcommands by name; "" is the assistant itself.
func commands() map[string]runFunc {
	return map[string]runFunc{
		"":           assistant.Run,
		"devices":    devices.Run,
		"doctor":     doctor.Run,
		"transcribe": transcribe.Run,
		"models":     models.Run,
		"bench":      bench.Run,
	}
}

// run executes one command line and returns the exit code: 0, 1 when the
// command fails, 2 when the command line itself is wrong.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx = cli.WithDefaults(ctx, defaultConfig)
	name, rest := "", args
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, rest = args[0], args[1:]
	}
	cmd, ok := commands()[name]
	if !ok {
		fmt.Fprintf(stderr, "parley: unknown command %q; commands: devices, doctor, transcribe, models, bench (or none to start parley)\n", name)
		return 1
	}
	return cli.Exit(cmd(ctx, rest, stdout, stderr), stderr)
}
