package pipeline

import "errors"

// ErrIncomplete indicates pipeline options that lack a stage.
var ErrIncomplete = errors.New("every stage (source, VAD, segmenter, ASR, responder, TTS, player) is required")

// ErrStopped indicates that Run ended because its context was cancelled.
var ErrStopped = errors.New("pipeline stopped")
