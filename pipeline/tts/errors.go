package tts

import "errors"

var (
	// ErrUnknownVoice indicates a voice name the engine does not have; the
	// error names the config key and the allowed values.
	ErrUnknownVoice = errors.New("unknown voice")
	// ErrSynthesis indicates that the synthesiser library produced no audio.
	ErrSynthesis = errors.New("synthesis failed")
	// ErrClosed indicates a call on an engine that has been closed.
	ErrClosed = errors.New("tts engine closed")
)
