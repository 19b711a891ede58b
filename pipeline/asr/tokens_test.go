package asr_test

import (
	"os"
	"path/filepath"
	"testing"

	"parley/pipeline/asr"
)

// readFile returns a file's contents as a string.
func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// writeFile writes a string to a file.
func writeFile(t testing.TB, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTokensTxt(t *testing.T) {
	data := "<unk> 0\n\u2581hello 2\n  3\nld 1\r\n<0xE4> 4\n<|en|> 5\na b 6\n\n"
	tok, err := asr.ParseTokensTxt("tokens.txt", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"<unk>", "ld", "\u2581hello", " ", "<0xE4>", "<|en|>", "a b"}
	if tok.Len() != len(want) {
		t.Fatalf("Len %d, want %d", tok.Len(), len(want))
	}
	for id, p := range want {
		if got, ok := tok.Piece(id); !ok || got != p {
			t.Errorf("Piece(%d) = %q, want %q", id, got, p)
		}
	}
	if id, ok := tok.ID("\u2581hello"); !ok || id != 2 {
		t.Errorf("ID(▁hello) = %d, %v", id, ok)
	}
	if _, ok := tok.Piece(7); ok {
		t.Error("Piece(7) found")
	}
}

func TestTokensTxtErrors(t *testing.T) {
	cases := []struct {
		name, data string
		frags      []string
	}{
		{"no id", "a 0\nb\n", []string{"tokens.txt:2", `want "piece id", got "b"`}},
		{"negative id", "a -1\n", []string{"tokens.txt:1"}},
		{"duplicate id", "a 0\nb 0\n", []string{"tokens.txt:2", "id 0 used twice"}},
		{"gap", "a 0\nb 2\n", []string{"id 2 out of range for 2 tokens"}},
		{"empty", "\n\n", []string{"no tokens"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := asr.ParseTokensTxt("tokens.txt", []byte(c.data))
			wantErr(t, err, asr.ErrTokens, c.frags...)
		})
	}
}

func TestTokensJSON(t *testing.T) {
	tok, err := asr.ParseTokensJSON("tokens.json", []byte(`["<blank>","<s>","</s>","wor@@","你","<unk>"]`))
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := tok.Piece(3); tok.Len() != 6 || p != "wor@@" {
		t.Errorf("Len %d, Piece(3) %q", tok.Len(), p)
	}
	_, err = asr.ParseTokensJSON("tokens.json", []byte(`{"a": 1}`))
	wantErr(t, err, asr.ErrTokens, "tokens.json", "JSON array of strings")
	_, err = asr.ParseTokensJSON("tokens.json", []byte(`[]`))
	wantErr(t, err, asr.ErrTokens, "no tokens")
}

// TestTokensTestModels reads the committed vocabularies by extension.
func TestTokensTestModels(t *testing.T) {
	cases := map[string]int{
		"sensevoice/tokens.txt": 25055, "sensevoice-funasr/tokens.json": 25055,
		"paraformer/tokens.json": 8404, "paraformer-sherpa/tokens.txt": 8404,
	}
	for file, n := range cases {
		tok, err := asr.LoadTokens(filepath.Join(testModels, file))
		if err != nil {
			t.Fatal(err)
		}
		if tok.Len() != n {
			t.Errorf("%s: %d tokens, want %d", file, tok.Len(), n)
		}
	}
	sv, _ := asr.LoadTokens(filepath.Join(testModels, "sensevoice/tokens.txt"))
	if p, _ := sv.Piece(268); p != " " {
		t.Errorf("one-field line: piece %q, want \" \"", p)
	}
	_, err := asr.LoadTokens(filepath.Join(t.TempDir(), "tokens.txt"))
	wantErr(t, err, nil, "read tokens", "tokens.txt")
}
