package llm

import "errors"

var (
	// ErrNoUserMessage indicates a history with no user message to answer.
	ErrNoUserMessage = errors.New("no user message to answer")
	// ErrReplyClosed indicates a Next call on a reply that was closed.
	ErrReplyClosed = errors.New("reply closed")
)
