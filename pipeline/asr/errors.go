package asr

import "errors"

var (
	// ErrModelMissing indicates that a model file or directory an engine
	// needs does not exist; the error names the file and its config key.
	ErrModelMissing = errors.New("asr model file missing")
	// ErrInit indicates that the recogniser library refused to start with
	// the given configuration; its own log says why.
	ErrInit = errors.New("asr engine init failed")
	// ErrSampleRate indicates a sample rate the engine cannot decode.
	ErrSampleRate = errors.New("unsupported sample rate")
	// ErrDecode indicates that the recogniser library failed on audio.
	ErrDecode = errors.New("asr decode failed")
	// ErrClosed indicates a call on an engine that has been closed.
	ErrClosed = errors.New("asr engine closed")
	// ErrStreamDone indicates a call on a stream that was already finished
	// or closed.
	ErrStreamDone = errors.New("asr stream already finished")
)
