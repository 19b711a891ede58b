package assistant

import (
	"errors"
	"io"
	"strings"
	"testing"

	"parley/cli"
	"parley/internal/testenv"
)

// TestAudioFlags: --audio and --web-addr override audio.backend and
// audio.web_addr; wrong values are usage errors that name the flag.
func TestAudioFlags(t *testing.T) {
	o, err := parseFlags([]string{"--headless", "--audio", "web", "--web-addr", "127.0.0.1:9876"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg := testenv.Config(t)
	if err := o.audio.apply(&cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Audio.Backend != "web" || cfg.Audio.WebAddr != "127.0.0.1:9876" {
		t.Errorf("audio config %+v", cfg.Audio)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--audio", "browser"}, "--audio"},
		{[]string{"--audio", "web", "--web-addr", "8765"}, "--web-addr"},
		{[]string{"--audio", "web", "--web-addr", "localhost:http"}, "--web-addr"},
	} {
		_, err := parseFlags(c.args, io.Discard)
		if !errors.Is(err, cli.ErrUsage) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want a usage error naming %s", c.args, err, c.want)
		}
	}
}

// TestWebAddrNeedsWeb: --web-addr with another backend is a mistake, said
// as such; with audio.backend = "web" in the file it applies.
func TestWebAddrNeedsWeb(t *testing.T) {
	o, err := parseFlags([]string{"--web-addr", "0.0.0.0:8765"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg := testenv.Config(t)
	cfg.Audio.Backend = "pulseaudio"
	if err := o.audio.apply(&cfg); !errors.Is(err, errWebAddrWithoutWeb) {
		t.Errorf("apply over pulseaudio: %v", err)
	}
	cfg.Audio.Backend = "web"
	if err := o.audio.apply(&cfg); err != nil || cfg.Audio.WebAddr != "0.0.0.0:8765" {
		t.Errorf("apply over web: %v, addr %q", err, cfg.Audio.WebAddr)
	}
}
