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
	resume       bool
	audio        audioFlags
}

// parseFlags parses the assistant's flags; errors are usage errors.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := newFlagSet(&o, stderr)
	if err := fs.Parse(args); err != nil {
		return o, cli.Usage(err)
	}
	if fs.NArg() > 0 {
		return o, cli.Usage(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	if o.jsonOut && !o.headless {
		return o, cli.Usage(errors.New("--json needs --headless"))
	}
	if err := o.audio.check(); err != nil {
		return o, cli.Usage(err)
	}
	return o, nil
}

// TakesValue reports whether parley's flag name takes a value (--config
// FILE) rather than standing alone (--headless), so that main can tell a
// flag's value from a subcommand.
func TakesValue(name string) bool {
	f := newFlagSet(&options{}, io.Discard).Lookup(name)
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return !ok || !b.IsBoolFlag()
}

// usageHead is the start of `parley --help`, before the flags.
const usageHead = `Usage: parley [flags]               the TUI on the default microphone and speakers
       parley --headless [flags]    one line per event instead of the TUI
       parley COMMAND [flags]       (--config may also come before COMMAND)

Commands:
`

// newFlagSet defines the assistant's flags over o.
func newFlagSet(o *options, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("parley", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.configPath, "config", "", "configuration `file` applied over the defaults")
	fs.BoolVar(&o.headless, "headless", false, "print one line per event (kind: text) instead of the TUI")
	fs.BoolVar(&o.jsonOut, "json", false, "with --headless, print events as JSON lines")
	fs.StringVar(&o.input, "input", "", "listen to a WAV `file` instead of the microphone, then exit")
	fs.BoolVar(&o.fast, "fast", false, "with --input, read the file as fast as possible instead of in real time")
	fs.StringVar(&o.inputDevice, "input-device", "", "capture device `name` or id (see parley devices)")
	fs.StringVar(&o.outputDevice, "output-device", "", "playback device `name` or id (see parley devices)")
	fs.BoolVar(&o.resume, "continue", false, "carry on the last conversation (shown, and sent to the LLM as history)")
	o.audio.register(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead)
		cli.PrintCommands(fs.Output())
		fmt.Fprint(fs.Output(), "  (COMMAND --help for its own flags)\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), "\n"+cli.ExitStatusHelp)
	}
	return fs
}
