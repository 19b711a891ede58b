// Package audio moves sound in and out of parley: devices (malgo), capture
// into a bounded buffer, queued playback with barge-in flush, WAV files,
// band-limited resampling, voice activity detection (Silero VAD v5 through a
// gpu.Runner, or an adaptive energy detector) and the segmenter that turns
// per-frame speech probabilities into utterances.
//
// Devices are opened through miniaudio with PulseAudio first, then ALSA,
// then the null backend. PulseAudio covers PipeWire desktops and remote
// sessions: over SSH, forward the laptop's PulseAudio socket (for example
// `ssh -R /tmp/pulse.sock:$XDG_RUNTIME_DIR/pulse/native host` and
// PULSE_SERVER=unix:/tmp/pulse.sock on the server) and parley uses the
// laptop's microphone and speakers unchanged. libasound's diagnostics are
// silenced before ALSA is probed, so a machine without a sound card fails
// with one error and prints nothing.
//
// Everything the pipeline hears is SampleRate (16 kHz) mono float32 in
// [-1, 1]; Sources deliver it and VADs score FrameSize frames of it.
package audio

// Compile-time checks of the interfaces the pipeline relies on.
var (
	_ Source = (*Mic)(nil)
	_ Source = (*FileSource)(nil)
	_ VAD    = (*SileroVAD)(nil)
	_ VAD    = (*EnergyVAD)(nil)
)
