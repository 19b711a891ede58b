package asr

import (
	"math"
	"reflect"
	"testing"
)

func TestWER(t *testing.T) {
	tests := []struct {
		name, ref, hyp string
		want           float64
	}{
		{"identical", "go forward ten meters", "go forward ten meters", 0},
		{"case and punctuation ignored", "Go forward, ten meters!", "go forward ten meters", 0},
		{"one substitution", "go forward ten meters", "go forward two meters", 0.25},
		{"one deletion", "go forward ten meters", "go forward meters", 0.25},
		{"one insertion", "go forward ten meters", "go forward ten more meters", 0.25},
		{"all wrong", "a b", "c d", 1},
		{"insertions exceed one", "a", "b c d", 3},
		{"empty hypothesis", "a b c d", "", 1},
		{"both empty", "", "", 0},
		{"empty reference", "", "noise", 1},
		{"apostrophes kept inside words", "what's the time", "whats the time", 1.0 / 3},
		{"quotes around words dropped", "'hello' there", "hello there", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WER(tt.ref, tt.hyp); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("WER(%q, %q) = %v, want %v", tt.ref, tt.hyp, got, tt.want)
			}
		})
	}
}

func TestWordErrors(t *testing.T) {
	errs, n := WordErrors("he was not an ill disposed young man", "he was not an illness those young man")
	if errs != 2 || n != 8 {
		t.Errorf("WordErrors = %d/%d, want 2/8", errs, n)
	}
}

func TestNormalizeWords(t *testing.T) {
	got := NormalizeWords("  Hello, World! It's 10 o'clock. ")
	want := []string{"hello", "world", "it's", "10", "o'clock"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("NormalizeWords = %q, want %q", got, want)
	}
}

func TestToPCM16(t *testing.T) {
	in := []float32{0, 0.5, -0.5, 1, -1, 2, -2, float32(math.NaN())}
	want := []int16{0, 16383, -16383, 32767, -32767, 32767, -32768, 0}
	if got := toPCM16(nil, in); !reflect.DeepEqual(got, want) {
		t.Errorf("toPCM16 = %v, want %v", got, want)
	}
}
