package assistant

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"slices"
	"strconv"

	"parley/config"
)

// audioFlags are the flags that override the [audio] table's backend keys.
type audioFlags struct {
	backend string // --audio: audio.backend
	webAddr string // --web-addr: audio.web_addr
}

// backends are the values --audio takes, as audio.backend does.
var backends = []string{"auto", "pulseaudio", "alsa", "null", "web"}

func (f *audioFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.backend, "audio", "", "audio `backend`: auto, pulseaudio, alsa, null, or web (a browser page is the microphone and speaker); overrides audio.backend")
	fs.StringVar(&f.webAddr, "web-addr", "", "with --audio web, serve the browser page on `host:port` (default 127.0.0.1:8765); overrides audio.web_addr")
}

// check rejects values that can never be right, before anything loads.
func (f audioFlags) check() error {
	if f.backend != "" && !slices.Contains(backends, f.backend) {
		return fmt.Errorf("--audio %q: want one of auto, pulseaudio, alsa, null, web", f.backend)
	}
	if f.webAddr != "" && !isHostPort(f.webAddr) {
		return fmt.Errorf("--web-addr %q: want host:port with a numeric port, for example 127.0.0.1:8765", f.webAddr)
	}
	return nil
}

// isHostPort accepts what audio.web_addr accepts: host:port, port 0-65535
// (an empty host is every interface, port 0 a free one).
func isHostPort(s string) bool {
	_, port, err := net.SplitHostPort(s)
	n, perr := strconv.Atoi(port)
	return err == nil && perr == nil && n >= 0 && n <= 65535
}

// errWebAddrWithoutWeb indicates --web-addr with another audio backend.
var errWebAddrWithoutWeb = errors.New(`--web-addr needs --audio web (or audio.backend = "web")`)

// apply writes the flags over the configuration.
func (f audioFlags) apply(cfg *config.Config) error {
	if f.backend != "" {
		cfg.Audio.Backend = f.backend
	}
	if f.webAddr == "" {
		return nil
	}
	if cfg.Audio.Backend != "web" {
		return errWebAddrWithoutWeb
	}
	cfg.Audio.WebAddr = f.webAddr
	return nil
}
