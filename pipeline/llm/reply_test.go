package llm

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplitWords(t *testing.T) {
	tests := []struct {
		name, text string
		n          int
		want       []string
	}{
		{"empty", "", 2, nil},
		{"fewer words than n", "one two", 3, []string{"one two"}},
		{"exact groups", "a b c d", 2, []string{"a b ", "c d"}},
		{"remainder", "a b c d e", 2, []string{"a b ", "c d ", "e"}},
		{"extra spaces kept", "a  b   c", 1, []string{"a  ", "b   ", "c"}},
		{"trailing space", "a b ", 1, []string{"a ", "b "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitWords(tt.text, tt.n)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("splitWords(%q, %d) = %q, want %q", tt.text, tt.n, got, tt.want)
			}
			if strings.Join(got, "") != tt.text {
				t.Errorf("pieces do not join back to the text")
			}
		})
	}
}
