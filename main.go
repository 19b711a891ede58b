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
	"strings"

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

// run executes one command line and returns the exit code (see
// cli.ExitStatusHelp): 0, 1 when the command fails, 2 when the command line
// itself is wrong, 128+N when signal N (SIGINT, SIGTERM, SIGHUP) cut the
// command short. Global flags may come before or after the subcommand.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := cli.SignalContext(context.Background())
	defer stop()
	ctx = cli.WithDefaults(ctx, defaultConfig)
	name, rest := cli.SplitCommand(args, assistant.TakesValue)
	cmd, ok := commands()[name]
	if !ok {
		return cli.Exit(cli.Usage(fmt.Errorf("unknown command %q; commands: %s (or none to start parley)", name, commandNames())), stderr)
	}
	return cli.Exit(cli.Interrupted(ctx, cmd(ctx, rest, stdout, stderr)), stderr)
}

// commandNames lists the subcommands for an error message.
func commandNames() string {
	var names []string
	for _, c := range cli.Commands() {
		names = append(names, c.Name)
	}
	return strings.Join(names, ", ")
}
