package llm

import "strings"

// abbrev says when a word followed by a period and a blank ends a
// sentence.
type abbrev int

const (
	// abbrevNone: an ordinary word; the period ends the sentence.
	abbrevNone abbrev = iota
	// abbrevNever: an abbreviation that does not end sentences (Dr., e.g.).
	abbrevNever
	// abbrevUnlessCapital: an abbreviation that ends the sentence when the
	// next word starts with a capital letter (etc., p.m.).
	abbrevUnlessCapital
	// abbrevUnlessDigit: an abbreviation before a number (No. 5, Fig. 2);
	// elsewhere an ordinary word ("No. I don't think so.").
	abbrevUnlessDigit
)

// abbreviations maps lower-case words, without their final period, to how
// they end sentences. It is never modified.
var abbreviations = map[string]abbrev{
	"e.g": abbrevNever, "i.e": abbrevNever, "cf": abbrevNever, "vs": abbrevNever,
	"dr": abbrevNever, "mr": abbrevNever, "mrs": abbrevNever, "ms": abbrevNever,
	"prof": abbrevNever, "st": abbrevNever, "mt": abbrevNever, "approx": abbrevNever,
	"u.s": abbrevNever, "u.k": abbrevNever, "e.u": abbrevNever,
	"etc": abbrevUnlessCapital, "a.m": abbrevUnlessCapital, "p.m": abbrevUnlessCapital,
	"inc": abbrevUnlessCapital, "ltd": abbrevUnlessCapital, "co": abbrevUnlessCapital,
	"jr": abbrevUnlessCapital, "sr": abbrevUnlessCapital, "corp": abbrevUnlessCapital,
	"no": abbrevUnlessDigit, "nos": abbrevUnlessDigit, "fig": abbrevUnlessDigit,
	"vol": abbrevUnlessDigit, "p": abbrevUnlessDigit, "pp": abbrevUnlessDigit,
	"ch": abbrevUnlessDigit, "sec": abbrevUnlessDigit, "eq": abbrevUnlessDigit,
}

// abbrevKind classifies the word before a period; atLineStart says the
// word starts its line.
func abbrevKind(word string, atLineStart bool) abbrev {
	if k, ok := abbreviations[strings.ToLower(word)]; ok {
		return k
	}
	switch {
	case len(word) == 1 && word[0] >= 'A' && word[0] <= 'Z':
		return abbrevNever // an initial: J. R. R. Tolkien
	case isDotted(word):
		return abbrevNever // U.S.A., N.Y.
	case atLineStart && isDigits(word):
		return abbrevNever // "1." numbers a list item
	}
	return abbrevNone
}

// isDotted reports single letters joined by periods, like "U.S" or "e.g".
func isDotted(word string) bool {
	parts := strings.Split(word, ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if len(p) != 1 || !isASCIILetter(p[0]) {
			return false
		}
	}
	return true
}

func isASCIILetter(b byte) bool { return (b|0x20) >= 'a' && (b|0x20) <= 'z' }

func isDigits(word string) bool {
	return word != "" && strings.Trim(word, "0123456789") == ""
}
