package doctor

import (
	"context"
	"net"
	"strings"

	"parley/app"
	"parley/audio/web"
	"parley/config"
)

// webAudio reports the browser page (audio.backend = "web"): the address it
// will be served on, that no sound server is needed (PulseAudio and ALSA
// are not tried), and the delay the page adds. It serves the page for a
// moment, as parley would, to prove the address is free.
func (r *report) webAudio(ctx context.Context, cfg config.Audio) {
	r.line(`backend: web (audio.backend = "web"): a browser page is the microphone and the speaker; no sound server needed (PulseAudio and ALSA not tried)`)
	srv, err := web.Listen(ctx, web.Options{Addr: cfg.WebAddr})
	if err != nil {
		r.block("%v (another program, or another parley, holds it: set audio.web_addr or --web-addr)", err)
		return
	}
	page, _, _ := strings.Cut(srv.URL(), "?")
	addr := srv.Addr().String()
	_ = srv.Close()
	r.line("page: %s (audio.web_addr = %q), with a token that changes every run: parley prints the whole address when it starts", page, cfg.WebAddr)
	host, port, _ := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		r.line("answers only on this machine: from a laptop run ssh -L %s:127.0.0.1:%s this-host, then open the printed address", port, port)
	} else {
		r.warn("%s answers the network over plain HTTP (the token guards it); browsers give a page the microphone only on https, 127.0.0.1 or localhost, so prefer an SSH tunnel to a loopback address", addr)
	}
	l := app.PageLatency(web.PageStats{}, false)
	r.line("added latency: capture %v (one 20 ms frame; the browser's microphone latency comes on top), playback: the page's jitter buffer (%v target) and the browser's output latency, measured once the page plays (the TUI's pipeline pane shows both)",
		l.Capture, web.DefaultJitter)
}
