package doctor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"parley/app"
	"parley/audio"
	"parley/config"
	"parley/ui"
)

// settings checks what the configuration names beyond its syntax: the key
// map the TUI would use and the folder the conversation log goes to.
func (r *report) settings(cfg config.Config) {
	if _, err := ui.ParseKeyMap(cfg.UI.Keys); err != nil {
		r.block("%v (the TUI does not start; see the README's Keys)", err)
	} else {
		r.line("key map: valid")
	}
	dir := app.StateDir(cfg)
	if err := writable(dir); err != nil {
		r.block("log folder %s (log.dir) is not writable: %v", dir, err)
		return
	}
	r.line("log folder: %s (writable)", dir)
}

// writable makes dir if needed and creates and removes a file in it.
func writable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".parley-doctor-*")
	if err != nil {
		return err
	}
	return errors.Join(f.Close(), os.Remove(f.Name()))
}

// probe opens the capture and playback devices briefly, as parley would,
// and reports the server, shared memory, and each device's period and the
// latency its buffer adds.
func (r *report) probe(ctx context.Context, cfg config.Audio) {
	lat, err := audio.ParseLatency(cfg.Latency)
	if err != nil {
		r.block("audio.latency: %v", err)
		return
	}
	backend := cfg.Backend
	if backend == "auto" {
		backend = ""
	}
	rep, _ := audio.Probe(ctx, audio.ProbeOptions{Backend: backend, InputDevice: cfg.InputDevice, OutputDevice: cfg.OutputDevice, Latency: lat})
	host := rep.Server.Host()
	if rep.Server.Why != "" {
		host += ": " + rep.Server.Why
	}
	r.line("server: %s (%s)", rep.Server, host)
	r.line("shared memory: %s", rep.SharedMemory)
	r.device("capture", rep.Capture, "parley cannot listen to a microphone; --input FILE.wav still works")
	r.device("playback", rep.Playback, "parley cannot speak; with --input FILE.wav the replies play to the null device")
}

// device reports one probed device, or blocks with its error and hint.
func (r *report) device(what string, d audio.DeviceProbe, hint string) {
	if d.Err != nil {
		r.block("%s: %v (%s)", what, d.Err, hint)
		return
	}
	r.line("%s: %q on %s opens; period %s, its buffer adds %s of latency", what, d.Device, d.Backend, ms(d.Period), ms(d.Delay))
}

// ms shows a duration in milliseconds.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}
