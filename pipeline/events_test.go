package pipeline

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLineIsOneLineOfValidUTF8(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"markdown", "# Steps\n\n1. **Open** it\r\n2. Close it", `answer: # Steps\n\n1. **Open** it\r\n2. Close it`},
		{"backslash", `C:\path\n`, `answer: C:\\path\\n`},
		{"invalid UTF-8", "caf\xc3 ok \xff\xfe", "answer: caf\uFFFD ok \uFFFD"},
		{"control characters", "a\x1b[31mred\x00\u2028b\tc", `answer: a\u001B[31mred\u0000\u2028b` + "\tc"},
		{"plain", "Déjà vu, 東京.", "answer: Déjà vu, 東京."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Event{Kind: KindAnswer, Text: tc.text}.Line()
			if got != tc.want {
				t.Errorf("Line() = %q, want %q", got, tc.want)
			}
			if strings.ContainsAny(got, "\n\r\u2028\u2029\u0085") || !utf8.ValidString(got) {
				t.Errorf("Line() = %q is not one line of valid UTF-8", got)
			}
		})
	}
}
