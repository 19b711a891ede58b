package tts

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// kokoroVocabJSON is Kokoro v1.0's symbol table (114 symbols, ids 1-177),
// as kokoro-onnx's config.json ships it; id 0 is the boundary token.
//
//go:embed kokoro_vocab.json
var kokoroVocabJSON []byte

// Kokoro's special ids (MODEL_CONTRACTS.md section 5).
const (
	kokoroBoundary = 0  // added at both ends of every run
	kokoroSpace    = 16 // between words
)

// kokoroVocab maps each phoneme to its token id.
type kokoroVocab map[rune]int64

// loadKokoroVocab parses the embedded table; every key must be one code
// point with an id in 1..177.
func loadKokoroVocab() (kokoroVocab, error) {
	var raw struct {
		Vocab map[string]int64 `json:"vocab"`
	}
	if err := json.Unmarshal(kokoroVocabJSON, &raw); err != nil {
		return nil, fmt.Errorf("kokoro vocab: %w", err)
	}
	v := make(kokoroVocab, len(raw.Vocab))
	for sym, id := range raw.Vocab {
		r, size := utf8.DecodeRuneInString(sym)
		if size != len(sym) || r == utf8.RuneError || id < 1 || id > 177 {
			return nil, fmt.Errorf("kokoro vocab: bad entry %q: %d", sym, id)
		}
		v[r] = id
	}
	return v, nil
}

// ids maps phonemes to token ids. Symbols outside the vocab are dropped and
// returned in dropped (in order, repeats kept) so the caller can count them.
// Spaces at both ends are trimmed, as kokoro-onnx strips its phoneme string.
func (v kokoroVocab) ids(phonemes []rune) (ids []int64, dropped []rune) {
	ids = make([]int64, 0, len(phonemes))
	for _, p := range phonemes {
		if id, ok := v[p]; ok {
			ids = append(ids, id)
		} else {
			dropped = append(dropped, p)
		}
	}
	return trimSpaces(ids), dropped
}

// trimSpaces drops space tokens at both ends.
func trimSpaces(ids []int64) []int64 {
	for len(ids) > 0 && ids[0] == kokoroSpace {
		ids = ids[1:]
	}
	for len(ids) > 0 && ids[len(ids)-1] == kokoroSpace {
		ids = ids[:len(ids)-1]
	}
	return ids
}

// kokoroReplacer applies kokoro-onnx's tokenizer replacements to espeak's
// IPA before the vocab lookup: palatalisation ʲ as j, r as the English ɹ,
// x as k, ɬ as l (Kokoro was trained on misaki's phoneme set). It is an
// immutable table.
var kokoroReplacer = strings.NewReplacer("ʲ", "j", "r", "ɹ", "x", "k", "ɬ", "l")

// kokoroPhonemes turns espeak's IPA for one clause into Kokoro phonemes:
// language-switch flags dropped as for Piper, but no NFD normalisation
// (the vocab holds precomposed symbols such as ç), then kokoroReplacer.
func kokoroPhonemes(ipa string) []rune {
	return []rune(kokoroReplacer.Replace(string(stripLanguageFlags(ipa))))
}

// isKokoroPunct reports the ids after which a long sentence is best cut:
// ; : , . ! ? — …
func isKokoroPunct(id int64) bool {
	return (id >= 1 && id <= 6) || id == 9 || id == 10
}

// splitKokoroTokens cuts ids into chunks of at most limit ids, each cut
// after the last punctuation that fits, else at the last space that fits,
// else at limit; spaces at the cuts are dropped. Empty input gives no
// chunk.
func splitKokoroTokens(ids []int64, limit int) [][]int64 {
	var out [][]int64
	for ids = trimSpaces(ids); len(ids) > limit; ids = trimSpaces(ids) {
		cut := kokoroCut(ids, limit)
		out = append(out, trimSpaces(ids[:cut]))
		ids = ids[cut:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}

// kokoroCut is where to cut ids, longer than limit and without a leading
// space, so that the first part holds at most limit ids and is not empty.
func kokoroCut(ids []int64, limit int) int {
	for i := limit - 1; i > 0; i-- {
		if isKokoroPunct(ids[i]) {
			return i + 1
		}
	}
	for i := limit; i > 0; i-- {
		if ids[i] == kokoroSpace {
			return i
		}
	}
	return limit
}
