package tts

import (
	"slices"
	"testing"
)

// idsVoice is a tiny voice: _ 0, ^ 1, $ 2, space 3, a 4, b 5, c 6 (two
// ids), and phoneme_map x -> a b.
func idsVoice() *VoiceConfig {
	return &VoiceConfig{
		PhonemeIDMap: map[rune][]int64{'_': {0}, '^': {1}, '$': {2}, ' ': {3}, 'a': {4}, 'b': {5}, 'c': {6, 7}},
		PhonemeMap:   map[rune][]rune{'x': {'a', 'b'}},
	}
}

func TestPiperIDsLayout(t *testing.T) {
	cases := []struct {
		name     string
		phonemes string
		want     []int64
	}{
		{"empty", "", []int64{1, 0, 2}},
		{"one", "a", []int64{1, 0, 4, 0, 2}},
		{"pad between", "ab a", []int64{1, 0, 4, 0, 5, 0, 3, 0, 4, 0, 2}},
		{"unknown skipped without pad", "a?b", []int64{1, 0, 4, 0, 5, 0, 2}},
		{"several ids, one pad", "c", []int64{1, 0, 6, 7, 0, 2}},
		{"phoneme_map first", "x", []int64{1, 0, 4, 0, 5, 0, 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := sentenceIDs([]rune(c.phonemes), idsVoice()); !slices.Equal(got, c.want) {
				t.Errorf("sentenceIDs(%q) = %v, want %v", c.phonemes, got, c.want)
			}
		})
	}
}
