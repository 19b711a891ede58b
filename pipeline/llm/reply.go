package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// textReply streams a known text in groups of words. It implements Reply.
type textReply struct {
	mu     sync.Mutex // guards the fields below
	pieces []string
	closed bool
}

// newTextReply splits text into pieces of n words; joined, the pieces give
// text back exactly.
func newTextReply(text string, n int) *textReply {
	return &textReply{pieces: splitWords(text, n)}
}

// Next implements Reply.
func (r *textReply) Next(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("offline reply: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return "", fmt.Errorf("offline reply: %w", ErrReplyClosed)
	}
	if len(r.pieces) == 0 {
		return "", io.EOF
	}
	p := r.pieces[0]
	r.pieces = r.pieces[1:]
	return p, nil
}

// Close implements Reply.
func (r *textReply) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	r.pieces = nil
	return nil
}

// splitWords cuts text after every n-th word, keeping each word's trailing
// space with it.
func splitWords(text string, n int) []string {
	var pieces []string
	start, words := 0, 0
	inWord := false
	for i, c := range text {
		space := c == ' ' || c == '\n' || c == '\t'
		if inWord && space {
			words++
		}
		if !inWord && !space && words == n {
			pieces = append(pieces, text[start:i])
			start, words = i, 0
		}
		inWord = !space
	}
	if start < len(text) {
		pieces = append(pieces, text[start:])
	}
	return pieces
}

// ReadAll collects a reply's pieces until io.EOF and closes the reply.
func ReadAll(ctx context.Context, r Reply) (string, error) {
	defer r.Close()
	var b strings.Builder
	for {
		p, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			return b.String(), nil
		}
		if err != nil {
			return b.String(), err
		}
		b.WriteString(p)
	}
}
