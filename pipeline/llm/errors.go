package llm

import "errors"

var (
	// ErrNoUserMessage indicates a history with no user message to answer.
	ErrNoUserMessage = errors.New("no user message to answer")
	// ErrReplyClosed indicates a Next call on a reply that was closed.
	ErrReplyClosed = errors.New("reply closed")
)

var (
	// ErrUnreachable indicates that the language model server could not be
	// reached: the connection was refused or dropped, or the name did not
	// resolve. Fallback answers offline when it sees it.
	ErrUnreachable = errors.New("server unreachable")
	// ErrTimeout indicates that the server sent no token for longer than
	// the configured timeout. Fallback answers offline when it sees it
	// before the first token.
	ErrTimeout = errors.New("no answer within the timeout")
	// ErrServer indicates that the server answered with an error: an HTTP
	// error status, or an error event inside the stream.
	ErrServer = errors.New("server error")
	// ErrEndedEarly indicates a stream that ended, with no error, before
	// the reply was complete: neither the end marker ([DONE]) nor a finish
	// reason came.
	ErrEndedEarly = errors.New("the server ended the reply early")
	// ErrProtocol indicates a stream that breaks the chat-completions
	// protocol, such as a chunk that is not valid JSON.
	ErrProtocol = errors.New("malformed stream")
)

var (
	// ErrBadBaseURL indicates a base URL that is not an http or https URL
	// with a host.
	ErrBadBaseURL = errors.New("base URL must be http:// or https:// with a host")
	// ErrNoModel indicates OpenAIOptions without a model name.
	ErrNoModel = errors.New("no model named")
)

// ErrNoProbe indicates a Fallback.Watch with no probe: FallbackOptions had
// none and the primary responder is not a Prober.
var ErrNoProbe = errors.New("no probe to check the server with")
