// Package assistant is `parley` itself: the conversation behind the
// terminal interface, or, with --headless, printed one line per event.
package assistant

import (
	"context"
	"io"
	"os"

	"parley/app"
	"parley/cli"
	"parley/config"
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
	if err := o.audio.apply(&loaded.Config); err != nil {
		return cli.Usage(err)
	}
	opts := app.Options{Input: o.input, Fast: o.fast, InputDevice: o.inputDevice, OutputDevice: o.outputDevice,
		Pinned: pins(o, loaded), Continue: o.resume}
	if o.headless {
		opts.Lines, opts.NoMic = headlessInput(o, os.Stdin)
		return runHeadless(ctx, loaded.Config, opts, o.jsonOut, stdout)
	}
	return runTUI(ctx, loaded.Config, opts)
}

// pins says which choices the user fixed for this run: with a flag, or
// with a key written in their config file (even one set to "", the
// default device). Those are not replaced by the choices the TUI
// remembers, nor remembered when the TUI changes them.
func pins(o options, l config.Loaded) app.Pins {
	pin := func(flagName, flagValue, key string) string {
		switch {
		case flagValue != "":
			return flagName
		case l.Wrote(key):
			return key + " in " + l.File
		}
		return ""
	}
	return app.Pins{
		InputDevice:  pin("--input-device", o.inputDevice, "audio.input_device"),
		OutputDevice: pin("--output-device", o.outputDevice, "audio.output_device"),
		Model:        pin("", "", "llm.model"),
	}
}

// headlessInput decides what a headless run hears besides --input: the
// lines of stdin when it is a pipe or a file, and then no microphone
// unless --input-device asks for one (with --input there is none anyway).
func headlessInput(o options, stdin *os.File) (lines io.Reader, noMic bool) {
	lines = typedLines(stdin)
	return lines, lines != nil && o.input == "" && o.inputDevice == ""
}

// typedLines returns stdin when it is a pipe, a socket or a file (a
// script: echo "what time is it" | parley --headless), nil when it is a
// terminal or a device such as /dev/null (a service, a test harness).
func typedLines(stdin *os.File) io.Reader {
	fi, err := stdin.Stat()
	if err != nil {
		return nil
	}
	if fi.Mode()&(os.ModeNamedPipe|os.ModeSocket) != 0 || fi.Mode().IsRegular() {
		return stdin
	}
	return nil
}
