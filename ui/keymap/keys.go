package keymap

import (
	"strings"
	"unicode"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
)

// aliases are friendlier names for keys whose tea.KeyMsg string is odd.
var aliases = map[string]string{"space": " "}

// matchString maps a configured key to the tea.KeyMsg.String() it matches.
func matchString(k string) string {
	if rest, found := strings.CutPrefix(k, "alt+"); found && rest != "" {
		return "alt+" + matchString(rest)
	}
	if a, ok := aliases[k]; ok {
		return a
	}
	return k
}

// ToKeyMsg turns a key name as written in the config ("a", "ctrl+x",
// "alt+b", "space", "pgup", "f5") or as stored in a binding into the
// tea.KeyMsg the terminal delivers for it. ok is false for names the
// terminal cannot send. Tests use it to press configured keys.
func ToKeyMsg(k string) (tea.KeyMsg, bool) {
	k = matchString(k)
	alt := false
	if rest, found := strings.CutPrefix(k, "alt+"); found && rest != "" {
		alt, k = true, rest
	}
	if t, ok := namedKeys()[k]; ok {
		return tea.KeyMsg{Type: t, Alt: alt}, true
	}
	r, size := utf8.DecodeRuneInString(k)
	if size == 0 || size != len(k) || !unicode.IsPrint(r) || r == ' ' {
		return tea.KeyMsg{}, false
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: alt}, true
}

// namedKeys maps Bubble Tea's key names to their types, read from
// tea.KeyType.String so it follows the library.
func namedKeys() map[string]tea.KeyType {
	m := make(map[string]tea.KeyType, 128)
	for t := tea.KeyType(-128); t < 128; t++ {
		if s := t.String(); s != "" && s != "runes" {
			if _, dup := m[s]; !dup {
				m[s] = t
			}
		}
	}
	return m
}

// DisplayKey names a binding's key for people: " " reads "space".
func DisplayKey(k string) string {
	if rest, found := strings.CutPrefix(k, "alt+"); found && rest != "" {
		return "alt+" + DisplayKey(rest)
	}
	for name, match := range aliases {
		if k == match {
			return name
		}
	}
	return k
}
