// Package clipboard puts text on the user's clipboard through the
// terminal, with the OSC 52 escape sequence: it works over SSH (the local
// terminal does the copying) and needs no X server or clipboard tool.
package clipboard

import (
	"fmt"
	"io"
	"strings"

	osc52 "github.com/aymanbagabas/go-osc52/v2"
)

// Writer puts text on the clipboard. The UI copies through one, so tests
// can record what would reach the terminal.
type Writer func(text string) error

// OSC52 returns a Writer that writes OSC 52 sequences to w, the terminal.
// Inside tmux ($TMUX set) it writes the sequence twice: plain, which tmux
// takes into a paste buffer (and on to the outer terminal) with
// `set-clipboard on`, and wrapped for passthrough, which reaches the
// outer terminal with `allow-passthrough on`; whichever the user's tmux
// allows works, and setting the same text twice is harmless. Inside GNU
// screen (TERM screen*, no tmux) it writes the screen-wrapped sequence.
// getenv reads the environment (os.Getenv).
func OSC52(w io.Writer, getenv func(string) string) Writer {
	return func(text string) error {
		seq := osc52.New(text)
		var out strings.Builder
		switch {
		case getenv("TMUX") != "":
			out.WriteString(seq.String())
			out.WriteString(seq.Tmux().String())
		case strings.HasPrefix(getenv("TERM"), "screen"):
			out.WriteString(seq.Screen().String())
		default:
			out.WriteString(seq.String())
		}
		// One Write, so the sequence is not split by the renderer's frames.
		if _, err := io.WriteString(w, out.String()); err != nil {
			return fmt.Errorf("clipboard (OSC 52): %w", err)
		}
		return nil
	}
}
