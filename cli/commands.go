package cli

import (
	"fmt"
	"io"
	"strings"
)

// Command names a subcommand and says in one line what it does.
type Command struct {
	// Name is the word that selects it.
	Name string
	// Summary is its line in --help.
	Summary string
}

// Commands are parley's subcommands in the order --help lists them.
func Commands() []Command {
	return []Command{
		{"devices", "list the capture and playback devices, by name and id"},
		{"doctor", "explain what parley found and whether it can run (exit 1 with the reason when not)"},
		{"transcribe", "print the transcript of WAV files (--json for segments, device, RTF)"},
		{"models", "the model catalog: list, pull (download, check, install), verify"},
		{"bench", "CPU vs GPU: speed, memory, identical outputs; --soak for long runs"},
	}
}

// PrintCommands writes the subcommands, one line each, for --help.
func PrintCommands(w io.Writer) {
	for _, c := range Commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.Name, c.Summary)
	}
}

// ExitStatusHelp documents parley's exit status, for --help.
const ExitStatusHelp = `Exit status:
  0        done: the --input file answered, or parley stopped (q, or a
           signal while listening to the microphone)
  1        parley or the command failed (the reason is on stderr)
  2        the command line is wrong
  128+N    signal N cut the work short: an --input file, a transcription
           or another command stopped before its end (130 SIGINT,
           143 SIGTERM, 129 SIGHUP); every event is still printed and logged
`

// SplitCommand finds the subcommand in args: the first argument that is
// neither a flag nor a flag's value. The arguments around it are the
// command's, so global flags may come before or after it (`parley --config
// F doctor` is `parley doctor --config F`). takesValue reports whether the
// flag name (without dashes, no "=") takes the next argument as its value.
// The name is "" when args hold flags only.
func SplitCommand(args []string, takesValue func(name string) bool) (name string, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return "", args
		case len(a) > 1 && a[0] == '-':
			if flag := strings.TrimLeft(a, "-"); !strings.Contains(flag, "=") && takesValue(flag) {
				i++
			}
		default:
			rest = append(append(rest, args[:i]...), args[i+1:]...)
			return a, rest
		}
	}
	return "", args
}
