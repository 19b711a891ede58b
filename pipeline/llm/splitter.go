package llm

import "strings"

// Defaults of SplitterOptions.
const (
	// DefaultFirstClauseChars is how long the first unit must be before it
	// may end at a clause boundary.
	DefaultFirstClauseChars = 40
	// DefaultMaxUnitChars is the longest unit before a cut at a space.
	DefaultMaxUnitChars = 300
	// DefaultCodeNote is said in place of a fenced code block.
	DefaultCodeNote = "I've put the code on screen."
)

// SplitterOptions configures NewSplitter.
type SplitterOptions struct {
	// FirstClauseChars lets the first unit also end at a clause boundary
	// (, ; : — ， ；) once it has this many characters, so the first audio
	// comes early; 0 means DefaultFirstClauseChars, negative never.
	FirstClauseChars int
	// MaxChars cuts a unit that grows longer than this without a sentence
	// end at its last space; 0 means DefaultMaxUnitChars, negative never.
	MaxChars int
	// CodeNote is said once in place of each fenced code block (and of
	// several in a row); empty means DefaultCodeNote.
	CodeNote string
}

// Splitter cuts a streamed reply into units to speak one after another:
// sentences, and for the first unit also a long enough clause. It never
// cuts inside numbers (3.14, 1,000, v1.2.3), known abbreviations (e.g.,
// Dr., U.S.), URLs, e-mail addresses, paths, inline code or link syntax,
// replaces fenced code blocks by a spoken note, and returns each unit as
// Speakable text. The units do not depend on how the text was cut into
// deltas. A Splitter is for one goroutine.
type Splitter struct {
	opts      SplitterOptions
	buf       string // text received and not yet emitted
	lineStart bool   // buf starts a line (only blanks since a newline)
	first     bool   // no unit emitted yet: clause cuts allowed
	fence     int    // backticks of the open code fence; 0 outside one
	skipLine  bool   // in a fence, skipping the rest of the current line
	lastNote  bool   // the last unit emitted was the code note
}

// NewSplitter returns a Splitter for one reply.
func NewSplitter(opts SplitterOptions) *Splitter {
	if opts.FirstClauseChars == 0 {
		opts.FirstClauseChars = DefaultFirstClauseChars
	}
	if opts.MaxChars == 0 {
		opts.MaxChars = DefaultMaxUnitChars
	}
	if opts.CodeNote == "" {
		opts.CodeNote = DefaultCodeNote
	}
	s := &Splitter{opts: opts}
	s.reset()
	return s
}

// SpeakableUnits splits a whole text at once.
func SpeakableUnits(text string, opts SplitterOptions) []string {
	s := NewSplitter(opts)
	return append(s.Push(text), s.Flush()...)
}

func (s *Splitter) reset() {
	s.buf, s.fence, s.skipLine, s.lastNote = "", 0, false, false
	s.lineStart, s.first = true, true
}

// Push adds a delta of the reply and returns the units it completed, if
// any. A delta may end anywhere, even inside a UTF-8 sequence.
func (s *Splitter) Push(delta string) []string {
	s.buf += delta
	return s.drain(false)
}

// Flush ends the reply: it returns the units left and readies the
// Splitter for the next reply. An open code fence is dropped.
func (s *Splitter) Flush() []string {
	out := s.drain(true)
	s.reset()
	return out
}

// drain emits every unit that the text so far settles. final means no more
// text comes, so the end of buf ends the last unit.
func (s *Splitter) drain(final bool) []string {
	var out []string
	for {
		if s.fence > 0 {
			if !s.skipFence(final) {
				return out
			}
			continue
		}
		c := s.scanner(final).scan()
		switch c.kind {
		case cutUnit:
			out = s.emit(out, s.buf[:c.at])
			s.buf, s.lineStart = s.buf[c.at:], c.lineStart
		case cutFence:
			out = s.note(s.emit(out, s.buf[:c.at]))
			s.buf, s.fence, s.skipLine = s.buf[c.at+c.ticks:], c.ticks, true
		default:
			if final {
				out = s.emit(out, s.buf)
				s.buf = ""
			}
			return out
		}
	}
}

func (s *Splitter) scanner(final bool) *scanner {
	sc := &scanner{s: s.buf, final: final, startLine: s.lineStart, lineStart: s.lineStart, lastBlank: -1, maxChars: s.opts.MaxChars}
	if s.first {
		sc.clauseChars = s.opts.FirstClauseChars
	}
	return sc
}

// emit appends raw's speakable text, if it has any.
func (s *Splitter) emit(out []string, raw string) []string {
	text := Speakable(raw)
	if text == "" {
		return out
	}
	s.first, s.lastNote = false, false
	return append(out, text)
}

// note appends the code note, once for code blocks in a row.
func (s *Splitter) note(out []string) []string {
	if s.lastNote {
		return out
	}
	s.first, s.lastNote = false, true
	return append(out, s.opts.CodeNote)
}

// skipFence drops fenced code up to and including its closing line, and
// reports whether the fence closed. It keeps at most the current line,
// and only while that line may still turn out to close the fence.
func (s *Splitter) skipFence(final bool) bool {
	for {
		if s.skipLine {
			nl := strings.IndexByte(s.buf, '\n')
			if nl < 0 {
				s.buf = ""
				return false
			}
			s.buf, s.skipLine = s.buf[nl+1:], false
		}
		line, rest, complete := strings.Cut(s.buf, "\n")
		switch {
		case !complete && !final:
			if !mayClose(line, s.fence) {
				s.buf, s.skipLine = "", true
			}
			return false
		case closesFence(line, s.fence):
			s.buf, s.fence, s.lineStart = rest, 0, true
			return true
		case !complete:
			s.buf = ""
			return false
		}
		s.buf = rest
	}
}

// closesFence reports a line of at least n backticks and nothing else but
// blanks.
func closesFence(line string, n int) bool {
	t := strings.Trim(line, " \t\r")
	return len(t) >= n && strings.Trim(t, "`") == ""
}

// mayClose reports whether an incomplete line could still close a fence
// of n backticks.
func mayClose(line string, n int) bool {
	t := strings.TrimLeft(line, " \t")
	rest := strings.TrimLeft(t, "`")
	ticks := len(t) - len(rest)
	return rest == "" || (ticks >= n && strings.Trim(rest, " \t\r") == "")
}
