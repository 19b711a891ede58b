package assistant

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"parley/cli"
)

// options are the assistant's command-line flags.
type options struct {
	configPath   string
	headless     bool
	jsonOut      bool
	input        string
	fast         bool
	inputDevice  string
	outputDevice string
}

// parseFlags parses the assistant's flags; errors are usage errors.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("parley", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.configPath, "config", "", "configuration `file` applied over the defaults")
	fs.BoolVar(&o.headless, "headless", false, "print one line per event (kind: text) instead of the TUI")
	fs.BoolVar(&o.jsonOut, "json", false, "with --headless, print events as JSON lines")
	fs.StringVar(&o.input, "input", "", "listen to a WAV `file` instead of the microphone, then exit")
	fs.BoolVar(&o.fast, "fast", false, "with --input, read the file as fast as possible instead of in real time")
	fs.StringVar(&o.inputDevice, "input-device", "", "capture device `name` or id (see parley devices)")
	fs.StringVar(&o.outputDevice, "output-device", "", "playback device `name` or id (see parley devices)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: parley [flags]\n       parley devices | doctor [--config FILE]\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, cli.Usage(err)
	}
	if fs.NArg() > 0 {
		return o, cli.Usage(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	if o.jsonOut && !o.headless {
		return o, cli.Usage(errors.New("--json needs --headless"))
	}
	return o, nil
}
