package doctor

import (
	"context"
	"strings"

	"parley/app"
	"parley/config"
)

// latency opens both devices briefly, as parley would, and says how much
// their buffers add to voice_to_voice: what the user hears on top of it.
// A device that fails is the audio section's problem, not a blocker here.
func (r *report) latency(ctx context.Context, cfg config.Config) {
	r.section("Audio latency")
	added, p, err := app.ProbeLatency(ctx, cfg.Audio)
	where := p.Server.Host() + " server"
	if p.Server.Why != "" {
		where += ": " + p.Server.Why
	}
	r.line("audio.latency = %q (%s)", cfg.Audio.Latency, where)
	if err != nil {
		r.line("not measured: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
		return
	}
	r.line("periods: capture %v, playback %v", p.Capture.Period, p.Playback.Period)
	r.line("device buffers add %s to voice_to_voice (the sound server's own buffers and a network come on top)", added)
}
