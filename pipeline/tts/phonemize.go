package tts

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// clause is one stretch of text that espeak-ng phonemised in one call: up
// to a comma, colon, semicolon or sentence end.
type clause struct {
	// phonemes is espeak's IPA for the clause, words separated by spaces.
	phonemes string
	// punct is what Piper appends after it: ".", "?", "!", ", ", ": ", "; " or "".
	punct string
	// sentenceEnd is true when the clause ends a sentence.
	sentenceEnd bool
}

// clausePunct maps clause-ending punctuation to what Piper appends and
// whether it ends a sentence (espeak's CLAUSE_PERIOD, _QUESTION,
// _EXCLAMATION end sentences; _COMMA, _COLON, _SEMICOLON do not). It is
// an immutable table.
var clausePunct = map[rune]struct {
	text     string
	sentence bool
}{
	'.': {".", true}, '…': {".", true}, '?': {"?", true}, '!': {"!", true},
	',': {", ", false}, ':': {": ", false}, ';': {"; ", false},
}

// isCloser reports runes that may stand between clause punctuation and the
// following space: closing quotes and brackets.
func isCloser(r rune) bool {
	return strings.ContainsRune("\"'”’)]}»", r)
}

// isReadahead reports runes espeak may have consumed past the clause's
// end: anything that is neither a space nor clause punctuation.
func isReadahead(r rune) bool {
	_, punct := clausePunct[r]
	return !unicode.IsSpace(r) && !punct
}

// terminator recovers how the clause that espeak consumed as text[start:end]
// ended. espeak-ng 1.51's espeak_TextToPhonemes does not report it (Piper's
// fork adds espeak_TextToPhonemesWithTerminator); it advances the text
// pointer past the punctuation, the spaces after it and, measured, the
// first character(s) of the next clause. So: drop that read-ahead (unless
// the text ended), the spaces and closing quotes/brackets; the rune left
// is the clause punctuation, if any. A blank line also ends a sentence, and
// so does the end of the text.
func terminator(text string, start, end int, eof bool) (punct string, sentenceEnd bool) {
	s := text[start:end]
	if !eof {
		s = strings.TrimRightFunc(s, isReadahead)
	}
	body := strings.TrimRightFunc(s, unicode.IsSpace)
	gap := s[len(body):]
	body = strings.TrimRightFunc(body, isCloser)
	r, _ := utf8.DecodeLastRuneInString(body)
	if p, ok := clausePunct[r]; ok {
		return p.text, p.sentence || eof
	}
	return "", eof || strings.Count(gap, "\n") >= 2
}

// clausePhonemes turns espeak's IPA for one clause into Piper phonemes:
// NFD-normalised code points (so "ç" is "c" plus a combining cedilla; every
// ˈ ˌ ː is a phoneme of its own), without espeak's language-switch flags.
// Like piper-phonemize, only the flags "(en)", "(fr)" … are dropped; the
// words between them stay.
func clausePhonemes(ipa string) []rune {
	return stripLanguageFlags(norm.NFD.String(ipa))
}

// stripLanguageFlags returns the code points of espeak's IPA without its
// language-switch flags "(en)", "(fr)" …; the words between them stay.
func stripLanguageFlags(ipa string) []rune {
	var out []rune
	inFlag := false
	for _, r := range ipa {
		switch {
		case inFlag:
			inFlag = r != ')'
		case r == '(':
			inFlag = true
		default:
			out = append(out, r)
		}
	}
	return out
}

// sentencesOf joins clauses into sentences of phonemes, each clause's IPA
// turned into phonemes by phonemes (clausePhonemes for Piper), appending
// each clause's punctuation as Piper does. Sentences with nothing to say
// (only punctuation and spaces) are dropped.
func sentencesOf(clauses []clause, phonemes func(ipa string) []rune) [][]rune {
	var out [][]rune
	var cur []rune
	for _, c := range clauses {
		cur = append(cur, phonemes(c.phonemes)...)
		cur = append(cur, []rune(c.punct)...)
		if c.sentenceEnd {
			out = appendSpoken(out, cur)
			cur = nil
		}
	}
	return appendSpoken(out, cur)
}

// appendSpoken appends s to out if s holds something other than
// punctuation and spaces.
func appendSpoken(out [][]rune, s []rune) [][]rune {
	for _, r := range s {
		if !unicode.IsSpace(r) && !unicode.IsPunct(r) {
			return append(out, s)
		}
	}
	return out
}

// textPhonemes is phonemisation for phoneme_type "text": the NFD code
// points of each non-blank line, one sentence per line.
func textPhonemes(text string) [][]rune {
	var out [][]rune
	for _, line := range strings.Split(norm.NFD.String(text), "\n") {
		out = appendSpoken(out, []rune(strings.TrimSpace(line)))
	}
	return out
}
