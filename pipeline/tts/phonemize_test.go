package tts

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestPhonemizeTerminator(t *testing.T) {
	cases := []struct {
		name, text     string
		start, end     int // end -1: up to the end of the text
		wantPunct      string
		wantSentenceEd bool
	}{
		// espeak-ng 1.51 really advanced its pointer this far (measured).
		{"comma and read-ahead", "Hello, world!", 0, 8, ", ", false},
		{"exclamation at end", "Hello, world!", 8, -1, "!", true},
		{"question", "How are you? I am", 0, 14, "?", true},
		{"semicolon", "I am fine; thanks", 0, 12, "; ", false},
		{"colon", "Wait: one", 0, 7, ": ", false},
		{"period", "Really. D", 0, 9, ".", true},
		{"period inside quotes", `He said "hi." Then`, 0, 15, ".", true},
		{"no punctuation at the end", "Hello world", 0, -1, "", true},
		{"long clause without punctuation", "a b c d e", 0, 5, "", false},
		{"blank line ends a sentence", "Title\n\nNext", 0, 8, "", true},
		{"ellipsis", "Well… so", 0, 10, ".", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			end, eof := c.end, false
			if end < 0 {
				end, eof = len(c.text), true
			}
			punct, sentence := terminator(c.text, c.start, end, eof)
			if punct != c.wantPunct || sentence != c.wantSentenceEd {
				t.Errorf("terminator(%q) = %q, %v; want %q, %v", c.text[c.start:end], punct, sentence, c.wantPunct, c.wantSentenceEd)
			}
		})
	}
}

func TestPhonemizeClausePhonemes(t *testing.T) {
	cases := map[string]string{
		"həlˈoʊ":                    "həlˈoʊ",
		"ç":                         "c\u0327", // NFD: c + combining cedilla
		"ðɪs (fr)ʃəvˈø(en) ɪz":      "ðɪs ʃəvˈø ɪz",
		"bˈʌʔn\u0329":               "bˈʌʔn\u0329",
		"(en)wˈɜːld":                "wˈɜːld",
		"hˈaʊ ɑːɹ juː":              "hˈaʊ ɑːɹ juː",
		"kæf\u00e9":                 "kæfe\u0301",
		"(en-us)tˈɛst(de)ɡˈuːt(en)": "tˈɛstɡˈuːt",
	}
	for in, want := range cases {
		if got := string(clausePhonemes(in)); got != want {
			t.Errorf("clausePhonemes(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPhonemizeSentences(t *testing.T) {
	clauses := []clause{
		{phonemes: "həlˈoʊ", punct: ", "},
		{phonemes: "wˈɜːld", punct: "!", sentenceEnd: true},
		{phonemes: "", punct: ".", sentenceEnd: true}, // nothing to say: dropped
		{phonemes: "hˈaʊ ɑːɹ juː", punct: "?", sentenceEnd: true},
		{phonemes: "fˈaɪn", punct: ""},
	}
	got := sentencesOf(clauses, clausePhonemes)
	want := []string{"həlˈoʊ, wˈɜːld!", "hˈaʊ ɑːɹ juː?", "fˈaɪn"}
	if len(got) != len(want) {
		t.Fatalf("sentencesOf = %q, want %q", got, want)
	}
	for i := range want {
		if string(got[i]) != want[i] {
			t.Errorf("sentence %d = %q, want %q", i, string(got[i]), want[i])
		}
	}
}

func TestPhonemizeTextType(t *testing.T) {
	got := textPhonemes("Ça va\n\n  ok  ")
	if len(got) != 2 || string(got[0]) != "C\u0327a va" || string(got[1]) != "ok" {
		t.Errorf("textPhonemes = %q", got)
	}
}

// espeakSentences phonemises text with the real espeak-ng.
func espeakSentences(t *testing.T, voice, text string) []string {
	t.Helper()
	clauses, err := espeakClauses(context.Background(), voice, text)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range sentencesOf(clauses, clausePhonemes) {
		out = append(out, string(s))
	}
	return out
}

func TestPhonemizeESpeak(t *testing.T) {
	cases := []struct {
		name, text string
		want       []string
	}{
		{"comma and exclamation", "Hello, world!", []string{"həlˈoʊ, wˈɜːld!"}},
		{"question", "Is it ready?", []string{"ɪz ɪt ɹˈɛdi?"}},
		{"colon semicolon comma", "Wait: one; two, three. Done",
			[]string{"wˈeɪt: wˈʌn; tˈuː, θɹˈiː.", "dˈʌn"}},
		{"sentences split", "Hello there. How are you? Fine!",
			[]string{"həlˈoʊ ðˈɛɹ.", "hˈaʊ ɑːɹ juː?", "fˈaɪn!"}},
		{"NFD and unknown-to-voice marks kept", "Café button.", []string{"kæfˈeɪ bˈʌʔn\u0329."}},
		{"blank", "  ", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := espeakSentences(t, "en-us", c.text); !slices.Equal(got, c.want) {
				t.Errorf("phonemes of %q = %q, want %q", c.text, got, c.want)
			}
		})
	}
}

func TestPhonemizeESpeakVoices(t *testing.T) {
	// "en-gb" is no voice name in espeak-ng 1.51: selected by language.
	for _, voice := range []string{"en-us", "en-gb", "en-gb-x-rp", "de"} {
		if err := checkESpeakVoice(voice); err != nil {
			t.Errorf("voice %q: %v", voice, err)
		}
	}
	err := checkESpeakVoice("xx-nope")
	if !errors.Is(err, ErrUnknownVoice) || !strings.Contains(err.Error(), "espeak.voice") {
		t.Errorf("unknown voice: %v, want ErrUnknownVoice naming espeak.voice", err)
	}
	// The failed switch must not leave a stale cached voice behind.
	if got := espeakSentences(t, "en-us", "Hello."); !slices.Equal(got, []string{"həlˈoʊ."}) {
		t.Errorf("after a failed switch: %q", got)
	}
}

func TestPhonemizeESpeakConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			voice, text, want := "en-us", "Hello, world!", "həlˈoʊ, wˈɜːld!"
			if i%2 == 1 {
				voice, text, want = "de", "Guten Tag.", "ɡˈuːtən tˈɑːk."
			}
			clauses, err := espeakClauses(context.Background(), voice, text)
			if err != nil {
				errs <- err.Error()
				return
			}
			if s := sentencesOf(clauses, clausePhonemes); len(s) != 1 || string(s[0]) != want {
				errs <- voice + ": " + string(s[0])
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestPhonemizeESpeakCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := espeakClauses(ctx, "en-us", "Hello."); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// TestPhonemizeESpeakSilent runs espeak-ng in a child test process (fresh
// library state: first start, voice switches, a missing voice) and checks
// that nothing reached its stderr or stdout besides the test verdict.
func TestPhonemizeESpeakSilent(t *testing.T) {
	if os.Getenv("PARLEY_ESPEAK_CHILD") == "1" {
		espeakChild(t)
		return
	}
	stdout, stderr := runChildTest(t, "TestPhonemizeESpeakSilent", "PARLEY_ESPEAK_CHILD")
	if stderr != "" {
		t.Errorf("espeak-ng wrote to stderr: %q", stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if line != "PASS" && !strings.HasPrefix(line, "coverage:") {
			t.Errorf("espeak-ng wrote to stdout: %q", line)
		}
	}
}

func espeakChild(t *testing.T) {
	ctx := context.Background()
	for _, voice := range []string{"en-us", "xx-nope", "en-gb", "de", "en-us"} {
		_, _ = espeakClauses(ctx, voice, "Hello, world! (1.5 kg) e.g. Dr. Smith?\n\nÇa va; ok: 42 €.")
	}
}
