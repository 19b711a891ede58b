// Package llm holds the answer stage: language model clients and the
// offline responder that keeps parley useful without one.
package llm

import "context"

// Role is who said a message.
type Role string

// Message roles, as the chat-completions protocol names them.
const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
)

// Message is one entry of the conversation history.
type Message struct {
	// Role is who said it.
	Role Role
	// Content is what was said.
	Content string
	// Interrupted marks an assistant reply cut short by the user.
	Interrupted bool
}

// Responder answers the conversation so far. The errors of Respond and of
// its Reply name what failed (the server and model, or the offline
// responder): callers show them as they are.
type Responder interface {
	// Name names the responder for the UI, e.g. "offline".
	Name() string
	// Respond streams the reply to the last user message in history.
	Respond(ctx context.Context, history []Message) (Reply, error)
}

// Reply is a streamed answer.
type Reply interface {
	// Next returns the next piece of text, or io.EOF after the last.
	Next(ctx context.Context) (string, error)
	// Close releases the stream; it is safe to call more than once.
	Close() error
}
