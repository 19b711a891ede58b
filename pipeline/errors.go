package pipeline

import "errors"

// ErrIncomplete indicates pipeline options that lack a stage.
var ErrIncomplete = errors.New("every stage (source, VAD, segmenter, ASR, responder, TTS, player) is required")

// ErrStopped indicates that Run ended because its context was cancelled.
var ErrStopped = errors.New("pipeline stopped")

// ErrEmptyText indicates a typed turn with nothing but white space.
var ErrEmptyText = errors.New("empty text")

// ErrNoConversation indicates that no conversation log holds a turn to
// resume.
var ErrNoConversation = errors.New("no earlier conversation")
