package asr

import (
	"encoding/base64"
	"fmt"
	"os"
	"strings"
)

// WhisperTokens is a Whisper vocabulary as sherpa-onnx ships it
// (<m>-tokens.txt): "<base64 of the token's bytes> <id>" per line, the
// ordinary byte-level BPE tokens only (ids below eot).
type WhisperTokens struct {
	// Source is the file the vocabulary came from, for error messages.
	Source string
	bytes  [][]byte
}

// LoadWhisperTokens reads a Whisper tokens file.
func LoadWhisperTokens(path string) (*WhisperTokens, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read tokens: %w", err)
	}
	return ParseWhisperTokens(path, b)
}

// ParseWhisperTokens parses a Whisper tokens file: ids 0..n-1 each exactly
// once, each piece valid base64. name is the file name used in errors.
func ParseWhisperTokens(name string, data []byte) (*WhisperTokens, error) {
	tok, err := ParseTokensTxt(name, data)
	if err != nil {
		return nil, err
	}
	out := &WhisperTokens{Source: name, bytes: make([][]byte, tok.Len())}
	for id := range out.bytes {
		piece, _ := tok.Piece(id)
		b, err := base64.StdEncoding.DecodeString(piece)
		if err != nil || len(b) == 0 {
			return nil, fmt.Errorf("%s: %w: id %d: %q is not the base64 of a token", name, ErrTokens, id, piece)
		}
		out.bytes[id] = b
	}
	return out, nil
}

// Len returns the number of tokens.
func (t *WhisperTokens) Len() int { return len(t.bytes) }

// Bytes returns the bytes of id, or nil when id is not an ordinary token.
func (t *WhisperTokens) Bytes(id int) []byte {
	if id < 0 || id >= len(t.bytes) {
		return nil
	}
	return t.bytes[id]
}

// Text joins the bytes of ids (ids that are not ordinary tokens, such as
// eot and the other special tokens, are left out), decodes them as UTF-8
// (invalid sequences become U+FFFD) and trims surrounding space.
func (t *WhisperTokens) Text(ids []int) string {
	var b []byte
	for _, id := range ids {
		b = append(b, t.Bytes(id)...)
	}
	return strings.TrimSpace(strings.ToValidUTF8(string(b), "\uFFFD"))
}
