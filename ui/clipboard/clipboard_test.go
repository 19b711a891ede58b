package clipboard

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestOSC52(t *testing.T) {
	text := "package main\n\nfunc main() {}\n"
	b64 := base64.StdEncoding.EncodeToString([]byte(text))
	plain := "\x1b]52;c;" + b64 + "\a"
	cases := []struct {
		name string
		env  map[string]string
		want []string // sequences expected, in order
	}{
		{"terminal", map[string]string{"TERM": "xterm-256color"}, []string{plain}},
		{"tmux", map[string]string{"TMUX": "/tmp/tmux-0/default,1,0", "TERM": "screen"},
			[]string{plain, "\x1bPtmux;\x1b\x1b]52;c;" + b64 + "\a\x1b\\"}},
		{"screen", map[string]string{"TERM": "screen.xterm-256color"}, []string{"\x1bP\x1b]52;c;" + b64 + "\a\x1b\\"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := OSC52(&buf, env(c.env))(text); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != strings.Join(c.want, "") {
				t.Fatalf("wrote %q\nwant %q", got, strings.Join(c.want, ""))
			}
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("terminal gone") }

func TestOSC52Error(t *testing.T) {
	err := OSC52(failWriter{}, env(nil))("x")
	if err == nil || !strings.Contains(err.Error(), "OSC 52") {
		t.Fatalf("err = %v", err)
	}
}
