package asr

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Tokens is a model's vocabulary: the piece of every id, 0..Len()-1.
type Tokens struct {
	// Source is the file the vocabulary came from, for error messages.
	Source string
	pieces []string
	ids    map[string]int
}

// LoadTokens reads a vocabulary: a ".json" file is FunASR's tokens.json (a
// JSON array, index = id), anything else is sherpa-onnx's tokens.txt.
func LoadTokens(path string) (*Tokens, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read tokens: %w", err)
	}
	if strings.EqualFold(filepath.Ext(path), ".json") {
		return ParseTokensJSON(path, b)
	}
	return ParseTokensTxt(path, b)
}

// ParseTokensTxt parses sherpa-onnx's tokens.txt: one "piece id" per line,
// ids 0..n-1 each exactly once in any order. A line with only an id stands
// for the piece " " (sherpa-onnx's symbol table does the same). name is the
// file name used in errors.
func ParseTokensTxt(name string, data []byte) (*Tokens, error) {
	byID := map[int]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		piece, id, err := parseTokenLine(text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w: %w", name, line, ErrTokens, err)
		}
		if prev, dup := byID[id]; dup {
			return nil, fmt.Errorf("%s:%d: %w: id %d used twice (%q and %q)", name, line, ErrTokens, id, prev, piece)
		}
		byID[id] = piece
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w: %w", name, ErrTokens, err)
	}
	return tokensFromMap(name, byID)
}

// parseTokenLine splits "piece id"; the piece may itself contain spaces, so
// the id is the last field.
func parseTokenLine(text string) (string, int, error) {
	fields := strings.Fields(text)
	last := fields[len(fields)-1]
	id, err := strconv.Atoi(last)
	if err != nil || id < 0 {
		return "", 0, fmt.Errorf("want \"piece id\", got %q", text)
	}
	if len(fields) == 1 {
		return " ", id, nil
	}
	end := strings.LastIndex(text, last)
	return strings.TrimRight(text[:end], " \t"), id, nil
}

// tokensFromMap checks that ids cover 0..n-1 without gaps.
func tokensFromMap(name string, byID map[int]string) (*Tokens, error) {
	if len(byID) == 0 {
		return nil, fmt.Errorf("%s: %w: no tokens", name, ErrTokens)
	}
	pieces := make([]string, len(byID))
	for id, p := range byID {
		if id >= len(pieces) {
			return nil, fmt.Errorf("%s: %w: id %d out of range for %d tokens (ids must be 0..%d)", name, ErrTokens, id, len(byID), len(byID)-1)
		}
		pieces[id] = p
	}
	return newTokens(name, pieces), nil
}

// ParseTokensJSON parses FunASR's tokens.json: a JSON array of strings whose
// index is the id. name is the file name used in errors.
func ParseTokensJSON(name string, data []byte) (*Tokens, error) {
	var pieces []string
	if err := json.Unmarshal(data, &pieces); err != nil {
		return nil, fmt.Errorf("%s: %w: want a JSON array of strings: %w", name, ErrTokens, err)
	}
	if len(pieces) == 0 {
		return nil, fmt.Errorf("%s: %w: no tokens", name, ErrTokens)
	}
	return newTokens(name, pieces), nil
}

func newTokens(source string, pieces []string) *Tokens {
	ids := make(map[string]int, len(pieces))
	for i := len(pieces) - 1; i >= 0; i-- {
		ids[pieces[i]] = i // the lowest id wins for duplicate pieces
	}
	return &Tokens{Source: source, pieces: pieces, ids: ids}
}

// Len returns the vocabulary size.
func (t *Tokens) Len() int { return len(t.pieces) }

// Piece returns the piece of id, or "" and false when id is out of range.
func (t *Tokens) Piece(id int) (string, bool) {
	if id < 0 || id >= len(t.pieces) {
		return "", false
	}
	return t.pieces[id], true
}

// ID returns the id of piece and whether the vocabulary has it.
func (t *Tokens) ID(piece string) (int, bool) {
	id, ok := t.ids[piece]
	return id, ok
}

// Pieces returns the pieces of ids, skipping ids out of range.
func (t *Tokens) Pieces(ids []int) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if p, ok := t.Piece(id); ok {
			out = append(out, p)
		}
	}
	return out
}
