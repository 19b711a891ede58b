// Package assistant is `parley` itself: the conversation behind the
// terminal interface, or, with --headless, printed one line per event.
package assistant

import (
	"context"
	"io"

	"parley/app"
	"parley/cli"
)

// Run runs the assistant with args (its flags) until the input ends, the
// user quits or ctx is done.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	loaded, err := cli.LoadConfig(ctx, o.configPath)
	if err != nil {
		return err
	}
	opts := app.Options{Input: o.input, Fast: o.fast, InputDevice: o.inputDevice, OutputDevice: o.outputDevice}
	if o.headless {
		return runHeadless(ctx, loaded.Config, opts, o.jsonOut, stdout)
	}
	return runTUI(ctx, loaded.Config, opts)
}
