package llm

import (
	"strings"
	"unicode"
)

// Speakable returns the text of a unit as it should be said: Markdown
// headings, quote marks, list bullets and task boxes, table pipes, rules,
// emphasis markers and inline-code backticks removed, links reduced to
// their text, emoji dropped, blanks collapsed. Text with no letter or
// digit left gives "". Fenced code blocks are the Splitter's business.
func Speakable(unit string) string {
	lines := strings.Split(unit, "\n")
	for i, l := range lines {
		lines[i] = stripInline(stripLinks(stripLinePrefix(l)))
	}
	s := collapse(dropEmoji(strings.Join(lines, " ")))
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return ""
	}
	return s
}

// stripLinePrefix removes block syntax at the start of a line.
func stripLinePrefix(line string) string {
	l := strings.TrimSpace(line)
	if isRule(l) {
		return ""
	}
	if strings.HasPrefix(l, "|") {
		return tableRow(l)
	}
	l = strings.TrimLeft(l, "> \t")
	if h := strings.TrimLeft(l, "#"); len(l)-len(h) <= 6 && (h == "" || h[0] == ' ') {
		l = strings.TrimSpace(strings.TrimRight(h, "# "))
	}
	for _, b := range []string{"- ", "* ", "+ ", "• "} {
		if strings.HasPrefix(l, b) {
			l = strings.TrimSpace(l[len(b):])
			break
		}
	}
	for _, box := range []string{"[ ] ", "[x] ", "[X] "} {
		l = strings.TrimPrefix(l, box)
	}
	return l
}

// isRule reports a thematic break: three or more of one of - * _.
func isRule(l string) bool {
	t := strings.ReplaceAll(l, " ", "")
	return len(t) >= 3 && (strings.Trim(t, "-") == "" || strings.Trim(t, "*") == "" || strings.Trim(t, "_") == "")
}

// tableRow reads a table row's cells as a list; a separator row gives "".
func tableRow(l string) string {
	var cells []string
	for _, c := range strings.Split(l, "|") {
		c = strings.TrimSpace(c)
		if strings.Trim(c, "-: ") != "" {
			cells = append(cells, c)
		}
	}
	return strings.Join(cells, ", ")
}

// stripLinks keeps the text of [text](target), [text][ref] and images,
// and the address of <autolinks>.
func stripLinks(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		rest := s[i:]
		if strings.HasPrefix(rest, "![") {
			rest = rest[1:]
			i++
		}
		if text, n, ok := link(rest); ok {
			b.WriteString(text)
			i += n
			continue
		}
		if addr, n, ok := autolink(rest); ok {
			b.WriteString(addr)
			i += n
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// link parses [text](target) or [text][ref] at the start of s.
func link(s string) (text string, n int, ok bool) {
	if !strings.HasPrefix(s, "[") {
		return "", 0, false
	}
	end := strings.IndexByte(s, ']')
	if end < 0 || end+1 >= len(s) {
		return "", 0, false
	}
	var closer byte
	switch s[end+1] {
	case '(':
		closer = ')'
	case '[':
		closer = ']'
	default:
		return "", 0, false
	}
	tail := strings.IndexByte(s[end+2:], closer)
	if tail < 0 {
		return "", 0, false
	}
	return s[1:end], end + 2 + tail + 1, true
}

// autolink parses <scheme://address> or <user@host> at the start of s.
func autolink(s string) (addr string, n int, ok bool) {
	if !strings.HasPrefix(s, "<") {
		return "", 0, false
	}
	end := strings.IndexByte(s, '>')
	if end < 0 {
		return "", 0, false
	}
	in := s[1:end]
	if strings.ContainsAny(in, " \t<") || !(strings.Contains(in, "://") || strings.Contains(in, "@")) {
		return "", 0, false
	}
	return in, end + 1, true
}

// stripInline removes backticks and the markers of emphasis (* _ ~~). A
// marker between two blanks (2 * 3) or inside a word (snake_case) stays.
func stripInline(s string) string {
	s = strings.ReplaceAll(s, "`", "")
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && rs[j] == rs[i] {
			j++
		}
		if isMarker(rs[i], j-i) && !keepMarker(rs, i, j) {
			i = j
			continue
		}
		b.WriteString(string(rs[i:j]))
		i = j
	}
	return b.String()
}

func isMarker(r rune, n int) bool { return r == '*' || r == '_' || (r == '~' && n >= 2) }

// keepMarker reports a marker run rs[i:j] that is not emphasis.
func keepMarker(rs []rune, i, j int) bool {
	prev, next := ' ', ' '
	if i > 0 {
		prev = rs[i-1]
	}
	if j < len(rs) {
		next = rs[j]
	}
	word := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	return (unicode.IsSpace(prev) && unicode.IsSpace(next)) || (word(prev) && word(next))
}

// emojiRanges holds the code points dropped from speech: pictographs,
// symbols and dingbats, flags, and the joiners and selectors that build
// emoji sequences. It is never modified.
var emojiRanges = [][2]rune{
	{0x1F000, 0x1FAFF}, // pictographs, emoticons, transport, flags, skin tones
	{0x2600, 0x27BF},   // miscellaneous symbols and dingbats
	{0x2B00, 0x2BFF},   // stars, squares, circles
	{0x231A, 0x231B}, {0x23E9, 0x23FA}, {0x2328, 0x2328}, {0x23CF, 0x23CF},
	{0x200D, 0x200D},   // zero-width joiner
	{0x20E3, 0x20E3},   // combining keycap
	{0xFE0E, 0xFE0F},   // variation selectors
	{0xE0020, 0xE007F}, // tag characters
	{0x3030, 0x3030}, {0x303D, 0x303D}, {0x3297, 0x3297}, {0x3299, 0x3299},
}

func isEmoji(r rune) bool {
	for _, rg := range emojiRanges {
		if r >= rg[0] && r <= rg[1] {
			return true
		}
	}
	return false
}

func dropEmoji(s string) string {
	return strings.Map(func(r rune) rune {
		if isEmoji(r) {
			return ' '
		}
		return r
	}, s)
}

// collapse joins words with single spaces and removes a space left before
// punctuation.
func collapse(s string) string {
	var b strings.Builder
	for i, w := range strings.Fields(s) {
		if i > 0 && strings.Trim(w, ".,!?;:…") != "" {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}
