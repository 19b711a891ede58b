package llm

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// cutKind says what a scan found.
type cutKind int

const (
	// cutMore: no cut yet; more text is needed (or, when final, the rest
	// is one unit).
	cutMore cutKind = iota
	// cutUnit: s[:at] is a unit.
	cutUnit
	// cutFence: s[:at] is a unit, then a code fence of ticks backticks.
	cutFence
)

// cut is where a unit ends.
type cut struct {
	kind      cutKind
	at        int  // byte offset of the cut
	ticks     int  // cutFence: the fence's backticks
	lineStart bool // cutUnit: s[at:] starts a line
}

// scanner finds the first cut in s, which starts a unit. Every decision
// looks only at s up to a bounded distance ahead; when s ends before that
// and more text may come (!final) it asks for more, so the cuts do not
// depend on how the text arrived.
type scanner struct {
	s           string
	final       bool
	clauseChars int // > 0: clause boundaries cut once the unit is this long
	maxChars    int // > 0: cut a unit this long at its last blank

	i         int  // byte offset of the next rune
	startLine bool // s starts a line
	lineStart bool // only blanks since the last newline before i
	runes     int  // runes since the unit's first non-blank
	lastBlank int  // offset of the last blank outside code and links; -1
	code      int  // backticks of the open code span; 0 outside
	bracket   int  // depth of open [ of link text
	target    bool // inside a link's (target) after ]
}

func (sc *scanner) scan() cut {
	for sc.i < len(sc.s) {
		if !sc.final && !utf8.FullRuneInString(sc.s[sc.i:]) {
			return cut{}
		}
		r, size := utf8.DecodeRuneInString(sc.s[sc.i:])
		if c, done := sc.step(r, size); done {
			return c
		}
	}
	return cut{}
}

// step looks at the rune r at sc.i; done reports a cut or a need for more.
func (sc *scanner) step(r rune, size int) (cut, bool) {
	switch {
	case r == '\n':
		return cut{kind: cutUnit, at: sc.i + size, lineStart: true}, true
	case r == '`':
		return sc.backticks()
	case sc.code > 0 || sc.target || sc.bracket > 0:
		sc.trackLink(r)
	case isCJKEnd(r):
		return sc.endAfterClosers(sc.i+size, false)
	case isEnd(r):
		if c, done := sc.sentenceEnd(); done {
			return c, true
		}
	case sc.clauseAllowed() && isClause(r):
		if c, done := sc.clause(r, size); done {
			return c, true
		}
	case r == '[':
		sc.bracket++
	}
	sc.advance(r, size)
	if sc.maxChars > 0 && sc.runes >= sc.maxChars {
		return sc.forced(), true
	}
	return cut{}, false
}

// advance moves past r.
func (sc *scanner) advance(r rune, size int) {
	blank := isBlank(r)
	if blank && sc.runes > 0 && sc.code == 0 && !sc.target && sc.bracket == 0 {
		sc.lastBlank = sc.i
	}
	if !blank || sc.runes > 0 {
		sc.runes++
	}
	sc.lineStart = sc.lineStart && blank
	sc.i += size
}

// trackLink follows link syntax: [text] then (target); code spans are
// followed by backticks.
func (sc *scanner) trackLink(r rune) {
	switch {
	case sc.code > 0:
	case sc.target && r == ')':
		sc.target = false
	case sc.bracket > 0 && r == '[':
		sc.bracket++
	case sc.bracket > 0 && r == ']':
		sc.bracket--
		sc.target = sc.bracket == 0 && strings.HasPrefix(sc.s[sc.i+1:], "(")
	}
}

// backticks handles a run of backticks: a fence at the start of a line,
// else the start or end of a code span.
func (sc *scanner) backticks() (cut, bool) {
	n := len(sc.s[sc.i:]) - len(strings.TrimLeft(sc.s[sc.i:], "`"))
	if sc.i+n == len(sc.s) && !sc.final {
		return cut{}, true
	}
	if n >= 3 && sc.lineStart && sc.code == 0 {
		return cut{kind: cutFence, at: sc.i, ticks: n}, true
	}
	switch sc.code {
	case 0:
		sc.code = n
	case n:
		sc.code = 0
	}
	for range n {
		sc.advance('`', 1)
	}
	return cut{}, false
}

// forced cuts a unit that grew too long, at its last blank if it has one.
func (sc *scanner) forced() cut {
	if sc.lastBlank > 0 {
		return cut{kind: cutUnit, at: sc.lastBlank}
	}
	return cut{kind: cutUnit, at: sc.i}
}

func (sc *scanner) clauseAllowed() bool {
	return sc.clauseChars > 0 && sc.runes+1 >= sc.clauseChars
}

// sentenceEnd decides on a run of . ! ? … at sc.i.
func (sc *scanner) sentenceEnd() (cut, bool) {
	rest := sc.s[sc.i:]
	end := len(rest) - len(strings.TrimLeft(rest, ".!?…"))
	run := rest[:end]
	if run != "." {
		return sc.endAfterClosers(sc.i+end, true)
	}
	c, done := sc.endAfterClosers(sc.i+1, true)
	if !done || c.kind != cutUnit {
		return c, done
	}
	return sc.periodEnd(c)
}

// endAfterClosers cuts after the closing quotes, brackets and emphasis
// that follow punctuation ending at j; needBlank asks for a blank after
// them, as Latin text has between sentences.
func (sc *scanner) endAfterClosers(j int, needBlank bool) (cut, bool) {
	k := j + len(sc.s[j:]) - len(strings.TrimLeft(sc.s[j:], closers))
	if k == len(sc.s) {
		if !sc.final {
			return cut{}, true
		}
		return cut{kind: cutUnit, at: k}, true
	}
	if !needBlank {
		return cut{kind: cutUnit, at: k}, true
	}
	if !sc.final && !utf8.FullRuneInString(sc.s[k:]) {
		return cut{}, true
	}
	if r, _ := utf8.DecodeRuneInString(sc.s[k:]); isBlank(r) || r == '\n' {
		return cut{kind: cutUnit, at: k}, true
	}
	return cut{}, false
}

// clause decides on a clause boundary r at sc.i.
func (sc *scanner) clause(r rune, size int) (cut, bool) {
	return sc.endAfterClosers(sc.i+size, r != '—' && r < 0x3000)
}

// closers may follow the punctuation that ends a sentence or clause.
const closers = "\"')]*_”’»」』）】"

func isEnd(r rune) bool    { return r == '.' || r == '!' || r == '?' || r == '…' }
func isCJKEnd(r rune) bool { return r == '。' || r == '！' || r == '？' }

func isClause(r rune) bool {
	switch r {
	case ',', ';', ':', '—', '–', '，', '；', '：':
		return true
	}
	return false
}

func isBlank(r rune) bool {
	return r == ' ' || r == '\t' || r == '\r' || r == '\u00a0' || r == '\u3000'
}

// periodEnd decides whether a single period before the blank at c.at ends
// a sentence, or an abbreviation or list number.
func (sc *scanner) periodEnd(c cut) (cut, bool) {
	tok, atLineStart := sc.tokenBefore(sc.i)
	switch abbrevKind(tok, atLineStart) {
	case abbrevNever:
		return cut{}, false
	case abbrevUnlessCapital:
		return sc.cutIfNext(c, unicode.IsUpper)
	case abbrevUnlessDigit:
		return sc.cutIfNext(c, func(r rune) bool { return !unicode.IsDigit(r) })
	}
	return c, true
}

// cutIfNext cuts at c if the first non-blank after it satisfies ok; a line
// break or the end of the text also cuts.
func (sc *scanner) cutIfNext(c cut, ok func(rune) bool) (cut, bool) {
	rest := strings.TrimLeft(sc.s[c.at:], " \t\r\u00a0\u3000")
	if rest == "" || (!sc.final && !utf8.FullRuneInString(rest)) {
		if !sc.final {
			return cut{}, true
		}
		return c, true
	}
	r, _ := utf8.DecodeRuneInString(rest)
	if r == '\n' || ok(r) {
		return c, true
	}
	return cut{}, false
}

// tokenBefore returns the word ending at byte i, without opening quotes or
// brackets, and whether it starts a line.
func (sc *scanner) tokenBefore(i int) (string, bool) {
	start := strings.LastIndexFunc(sc.s[:i], func(r rune) bool { return isBlank(r) || r == '\n' })
	if start >= 0 {
		_, size := utf8.DecodeRuneInString(sc.s[start:])
		start += size
	} else {
		start = 0
	}
	before := strings.TrimRight(sc.s[:start], " \t\r\u00a0\u3000")
	atLineStart := strings.HasSuffix(before, "\n") || (before == "" && sc.startLine)
	return strings.TrimLeft(sc.s[start:i], openers), atLineStart
}

// openers may come before a word.
const openers = "\"'([*_“‘«"
