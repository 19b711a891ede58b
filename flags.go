package main

import (
	"flag"
	"fmt"
	"io"
)

// options are the command-line flags.
type options struct {
	configPath   string
	headless     bool
	jsonOut      bool
	input        string
	fast         bool
	inputDevice  string
	outputDevice string
	args         []string // models and transcribe: their own arguments, parsed by them
}

// parseFlags parses the flags of command name ("" is the assistant itself).
func parseFlags(name string, args []string, stderr io.Writer) (options, error) {
	var o options
	if name == "models" || name == "transcribe" || name == "bench" {
		return options{args: args}, nil
	}
	fs := flag.NewFlagSet("parley "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.configPath, "config", "", "configuration `file` applied over the defaults")
	if name == "" {
		fs.BoolVar(&o.headless, "headless", false, "print one line per event (kind: text) instead of the TUI")
		fs.BoolVar(&o.jsonOut, "json", false, "with --headless, print events as JSON lines")
		fs.StringVar(&o.input, "input", "", "listen to a WAV `file` instead of the microphone, then exit")
		fs.BoolVar(&o.fast, "fast", false, "with --input, read the file as fast as possible instead of in real time")
		fs.StringVar(&o.inputDevice, "input-device", "", "capture device `name` or id (see parley devices)")
		fs.StringVar(&o.outputDevice, "output-device", "", "playback device `name` or id (see parley devices)")
	}
	fs.Usage = func() { usage(fs, name) }
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.jsonOut && !o.headless {
		return o, fmt.Errorf("--json needs --headless")
	}
	return o, nil
}

func usage(fs *flag.FlagSet, name string) {
	w := fs.Output()
	if name == "" {
		fmt.Fprint(w, "Usage: parley [flags]\n       parley devices | doctor [--config FILE]\n\nFlags:\n")
	} else {
		fmt.Fprintf(w, "Usage: parley %s [flags]\n\nFlags:\n", name)
	}
	fs.PrintDefaults()
}
