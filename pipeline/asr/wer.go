package asr

import (
	"strings"
	"unicode"
)

// WER returns the word error rate of hyp against the reference ref: the
// word-level edit distance (substitutions, insertions, deletions) divided
// by the number of reference words. Both are normalised first (see
// NormalizeWords). An empty reference gives 0 for an empty hypothesis and
// 1 otherwise. WER can exceed 1 when hyp has many insertions.
func WER(ref, hyp string) float64 {
	errs, n := WordErrors(ref, hyp)
	if n == 0 {
		if errs == 0 {
			return 0
		}
		return 1
	}
	return float64(errs) / float64(n)
}

// WordErrors returns the word-level edit distance between ref and hyp and
// the number of reference words, after NormalizeWords. Summing both over a
// test set gives the set's WER.
func WordErrors(ref, hyp string) (edits, refWords int) {
	r, h := NormalizeWords(ref), NormalizeWords(hyp)
	return editDistance(r, h), len(r)
}

// NormalizeWords lower-cases s, drops punctuation other than apostrophes
// inside words, and splits it into words.
func NormalizeWords(s string) []string {
	clean := strings.Map(func(c rune) rune {
		switch {
		case unicode.IsLetter(c) || unicode.IsDigit(c) || c == '\'':
			return unicode.ToLower(c)
		default:
			return ' '
		}
	}, s)
	words := strings.Fields(clean)
	for i, w := range words {
		words[i] = strings.Trim(w, "'")
	}
	return dropEmpty(words)
}

func dropEmpty(words []string) []string {
	out := words[:0]
	for _, w := range words {
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// editDistance is the Levenshtein distance between two word sequences,
// computed with one row of the dynamic-programming table.
func editDistance(a, b []string) int {
	row := make([]int, len(b)+1)
	for j := range row {
		row[j] = j
	}
	for i := 1; i <= len(a); i++ {
		diag := row[0]
		row[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			next := min(row[j]+1, row[j-1]+1, diag+cost)
			diag, row[j] = row[j], next
		}
	}
	return row[len(b)]
}
