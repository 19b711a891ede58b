package audio

import "errors"

var (
	// ErrBadHeader indicates that a WAV stream does not start with a valid
	// RIFF/WAVE header or lacks a required chunk.
	ErrBadHeader = errors.New("bad WAV header")
	// ErrTruncated indicates that a WAV stream ended before the size its
	// header declares.
	ErrTruncated = errors.New("truncated WAV data")
	// ErrUnsupportedFormat indicates a WAV sample format parley cannot decode
	// (neither integer PCM of 8/16/24/32 bits nor IEEE float of 32/64 bits).
	ErrUnsupportedFormat = errors.New("unsupported WAV format")
	// ErrInvalidAudio indicates samples described by an impossible rate or
	// channel count.
	ErrInvalidAudio = errors.New("invalid audio parameters")
	// ErrDeviceNotFound indicates that no audio device matches the requested
	// name or id.
	ErrDeviceNotFound = errors.New("audio device not found")
	// ErrAmbiguousDevice indicates that a device name matches several devices.
	ErrAmbiguousDevice = errors.New("audio device name is ambiguous")
	// ErrNoBackend indicates that no audio backend (PulseAudio, ALSA, null)
	// could be initialised.
	ErrNoBackend = errors.New("no audio backend available")
	// ErrUnknownBackend indicates a backend name other than "", "pulseaudio",
	// "alsa" or "null".
	ErrUnknownBackend = errors.New("unknown audio backend")
	// ErrOpenDevice indicates that the backend refused to open a device.
	ErrOpenDevice = errors.New("cannot open audio device")
	// ErrDeviceLost indicates that a device stopped delivering audio: its
	// audio server went away or stalled, or the backend stopped it (an
	// unplugged device). The error wrapping it names the server.
	ErrDeviceLost = errors.New("audio device lost")
	// ErrCloseTimeout indicates a device that did not close within its
	// deadline (its server stalled or went away); it was abandoned.
	ErrCloseTimeout = errors.New("audio device did not close in time")
	// ErrFlushed indicates a playback dropped by Flush before it started.
	ErrFlushed = errors.New("playback flushed")
	// ErrClosed indicates use of a microphone, speaker or source after Close.
	ErrClosed = errors.New("audio stream closed")
	// ErrFrameSize indicates a VAD frame whose length is not FrameSize.
	ErrFrameSize = errors.New("VAD frame has the wrong size")
	// ErrModelContract indicates a VAD model whose inputs or outputs differ
	// from the Silero VAD v5 contract.
	ErrModelContract = errors.New("VAD model does not match the Silero v5 contract")
	// ErrInvalidOptions indicates an option value outside its allowed range.
	ErrInvalidOptions = errors.New("invalid audio options")
)
