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
// and reports the server (local or remote, and why), shared memory, each
// device's period, and what their buffers add to voice_to_voice.
func (r *report) probe(ctx context.Context, cfg config.Audio) {
	if _, err := audio.ParseLatency(cfg.Latency); err != nil {
		r.block("audio.latency: %v", err)
		return
	}
	added, rep, _ := app.ProbeLatency(ctx, cfg) // a device that fails is in rep
	host := rep.Server.Host() + " server"
	if rep.Server.Why != "" {
		host += ": " + rep.Server.Why
	}
	r.line("server: %s (%s)", rep.Server, host)
	r.line("shared memory: %s", rep.SharedMemory)
	r.device("capture", cfg.InputDevice, rep.Capture, "parley cannot listen to a microphone; --input FILE.wav still works")
	r.device("playback", cfg.OutputDevice, rep.Playback, "parley cannot speak; with --input FILE.wav the replies play to the null device")
	if added.Measured {
		r.line("added latency: capture %v + playback %v on top of voice_to_voice (%s, audio.latency = %q; the sound server's own buffers and a network come on top)",
			round(added.Capture), round(added.Playback), added.Path, cfg.Latency)
	}
}

// device reports one probed device (named: the configured device, "" for
// the default), or blocks with its error and hint.
func (r *report) device(what, named string, d audio.DeviceProbe, hint string) {
	if d.Err != nil {
		r.block("%s: %v (%s)", what, d.Err, hint)
		return
	}
	which := "the default " + what + " device"
	if named != "" {
		which = fmt.Sprintf("audio.%s_device = %q", map[string]string{"capture": "input", "playback": "output"}[what], named)
	}
	r.line("%s: %q (%s) on %s opens; period %v", what, d.Device, which, d.Backend, round(d.Period))
}

// round shows a duration to a tenth of a millisecond.
func round(d time.Duration) time.Duration {
	return d.Round(100 * time.Microsecond)
}
