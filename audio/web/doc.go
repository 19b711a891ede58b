// Package web serves parley's browser audio page: a laptop without
// PulseAudio (macOS, Windows, ChromeOS) opens one page, embedded in the
// binary, and becomes parley's microphone and speaker over a WebSocket,
// typically through an SSH tunnel (`ssh -L 8765:127.0.0.1:8765 host`).
//
// The page captures with the browser's echo cancellation, noise suppression
// and automatic gain control, sends 16 kHz mono s16le PCM in 20 ms frames,
// and plays what parley sends through an AudioWorklet with a jitter buffer.
// On the Go side a Server hands out a Mic (a capture source: Read and Close,
// 16 kHz mono float32, like audio.Mic) and a Speaker (Play, Flush, Close,
// with a Playback handle like audio.Speaker's), so VAD, barge-in, metrics and
// the UI work unchanged. parley's own echo canceller must stay off with this
// backend: the browser's does it, next to the real speaker.
//
// Security: the server listens on loopback by default; the page and the
// WebSocket need a random per-run token (in the URL that URL returns), and
// the WebSocket refuses an Origin other than the page's own.
//
// Protocol (one WebSocket at /ws; a newer page replaces an older one):
//   - page to parley, binary: 16 kHz mono s16le PCM (20 ms frames);
//   - page to parley, text: JSON messages with a "type": hello (first, once
//     the page's audio runs), stats (periodic, also a heartbeat), started and
//     ended (per playback), ptt (push-to-talk button);
//   - parley to page, binary: a 12-byte little-endian header (playback id,
//     sample rate, flags: first/last chunk) then s16le PCM of one chunk;
//   - parley to page, text: JSON welcome, event (transcript), flush, ping.
package web
