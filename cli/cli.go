// Package cli holds what parley's subcommands share: the built-in
// defaults carried in the context, usage errors, flags that may follow
// the arguments, and the terminal checks. Each subcommand is a package
// below it with Run(ctx, args, stdout, stderr) error, in the manner of
// soft-serve's cmd/soft/*: main only dispatches.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"parley/config"
	"parley/gpu"
)

// ErrUsage indicates a command line that does not parse; parley exits 2.
// A command asked for --help returns an error that is flag.ErrHelp too:
// it printed its usage, and parley exits 0.
var ErrUsage = errors.New("usage")

// usageError is an error of the command line itself.
type usageError struct{ err error }

func (e usageError) Error() string   { return e.err.Error() }
func (e usageError) Unwrap() []error { return []error{e.err, ErrUsage} }

// Exit prints a command's error on stderr, after "parley: ", and returns
// parley's exit status: 0 (also after --help), 2 when the command line is
// wrong, 128+N when signal N cut the command short (see Interrupted), else
// 1.
func Exit(err error, stderr io.Writer) int {
	var cut interruptedError
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, ErrUsage):
		fmt.Fprintln(stderr, "parley:", err)
		return 2
	case errors.As(err, &cut):
		fmt.Fprintln(stderr, "parley:", err)
		return cut.sig.ExitCode()
	}
	fmt.Fprintln(stderr, "parley:", err)
	return 1
}

// Usage marks err as a command-line error (errors.Is(err, ErrUsage));
// nil stays nil.
func Usage(err error) error {
	if err == nil {
		return nil
	}
	return usageError{err}
}

// defaultsKey carries config.toml as built into the binary.
type defaultsKey struct{}

// WithDefaults returns ctx carrying the built-in configuration defaults
// (config.toml), which every command's configuration is applied over.
func WithDefaults(ctx context.Context, defaults []byte) context.Context {
	return context.WithValue(ctx, defaultsKey{}, defaults)
}

// LoadConfig loads the built-in defaults from ctx with the user's file
// over them: path, else ./parley.toml, else the XDG config file.
func LoadConfig(ctx context.Context, path string) (config.Loaded, error) {
	defaults, _ := ctx.Value(defaultsKey{}).([]byte)
	return config.Load(defaults, config.DefaultLocations(path))
}

// ParseInterleaved parses flags that may come before, between or after the
// positional arguments, and returns the positional ones. Errors are usage
// errors; --help returns flag.ErrHelp.
func ParseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, Usage(err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// ParseConfigFlag parses the flags of a command that takes only --config
// and no arguments, and returns the file; --help returns flag.ErrHelp.
func ParseConfigFlag(name string, args []string, stderr io.Writer) (string, error) {
	fs := flag.NewFlagSet("parley "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration `file` applied over the defaults")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: parley %s [flags]\n\nFlags:\n", name)
		fs.PrintDefaults()
	}
	err := fs.Parse(args)
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return *path, Usage(err)
}

// ParseDevice reads a device flag's value with gpu.ParseDevice and returns
// its canonical name ("cpu" or "cuda:N"); the error starts with what.
func ParseDevice(what, value string) (string, error) {
	d, err := gpu.ParseDevice(value)
	if err != nil {
		return "", fmt.Errorf("%s %q; want cpu or cuda:N", what, value)
	}
	return d.String(), nil
}
