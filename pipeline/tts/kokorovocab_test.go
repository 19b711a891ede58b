package tts

import (
	"slices"
	"strings"
	"testing"
)

func TestKokoroVocabTable(t *testing.T) {
	v, err := loadKokoroVocab()
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 114 {
		t.Errorf("%d symbols, want 114", len(v))
	}
	// MODEL_CONTRACTS.md section 5 and kokoro-onnx's config.json.
	for sym, want := range map[rune]int64{' ': 16, 'ˈ': 156, 'ˌ': 157, 'ː': 158, ';': 1, '?': 6, '—': 9, '…': 10,
		'ə': 83, 'ɹ': 123, 'ç': 78, '\u0303': 17, 'ᵻ': 177} {
		if v[sym] != want {
			t.Errorf("id of %q = %d, want %d", sym, v[sym], want)
		}
	}
	ids := map[int64]bool{}
	for _, id := range v {
		if id < 1 || id > 177 || ids[id] {
			t.Errorf("id %d out of 1..177 or repeated", id)
		}
		ids[id] = true
	}
}

func TestKokoroVocabIDs(t *testing.T) {
	v, err := loadKokoroVocab()
	if err != nil {
		t.Fatal(err)
	}
	// " bˈʌʔn̩. " — the syllabic mark U+0329 and the unknown '#' are dropped, the spaces at the ends trimmed.
	ids, dropped := v.ids([]rune(" bˈʌʔn\u0329#. "))
	if want := []int64{44, 156, 138, 148, 56, 4}; !slices.Equal(ids, want) {
		t.Errorf("ids = %v, want %v", ids, want)
	}
	if string(dropped) != "\u0329#" {
		t.Errorf("dropped = %q", string(dropped))
	}
	if ids, dropped := v.ids([]rune("   ")); len(ids) != 0 || len(dropped) != 0 {
		t.Errorf("only spaces: %v %q", ids, string(dropped))
	}
}

func TestKokoroPhonemes(t *testing.T) {
	cases := map[string]string{
		"həlˈoʊ":                    "həlˈoʊ",
		"ɪç":                        "ɪç", // no NFD: the vocab has precomposed ç
		"ðɪs (fr)ʃəvˈø(en) ɪz":      "ðɪs ʃəvˈø ɪz",
		"bˈʌʔn\u0329":               "bˈʌʔn\u0329", // dropped later, by the vocab
		"mʲˈir xɬ":                  "mjˈiɹ kl",    // kokoro-onnx's replacements
		"(en-us)tˈɛst(de)ɡˈuːt(en)": "tˈɛstɡˈuːt",
	}
	for in, want := range cases {
		if got := string(kokoroPhonemes(in)); got != want {
			t.Errorf("kokoroPhonemes(%q) = %q, want %q", in, got, want)
		}
	}
}

// tokens builds ids from a compact spelling: letters a-z are ids 43-68
// (Kokoro's a-z), '_' is a space (16), ',' 3 and '.' 4.
func tokens(s string) []int64 {
	var ids []int64
	for _, r := range s {
		switch r {
		case '_':
			ids = append(ids, kokoroSpace)
		case ',':
			ids = append(ids, 3)
		case '.':
			ids = append(ids, 4)
		default:
			ids = append(ids, int64(r-'a'+43))
		}
	}
	return ids
}

func spell(chunks [][]int64) string {
	var parts []string
	for _, c := range chunks {
		var b strings.Builder
		for _, id := range c {
			switch id {
			case kokoroSpace:
				b.WriteByte('_')
			case 3:
				b.WriteByte(',')
			case 4:
				b.WriteByte('.')
			default:
				b.WriteRune(rune(id - 43 + 'a'))
			}
		}
		parts = append(parts, b.String())
	}
	return strings.Join(parts, "|")
}

func TestKokoroSplit(t *testing.T) {
	cases := []struct {
		in    string
		limit int
		want  string
	}{
		{"ab_cd.", 10, "ab_cd."},
		{"_ab_", 10, "ab"},
		{"", 10, ""},
		// Punctuation first, even when a space comes later within the limit.
		{"ab,_cd_ef_gh", 8, "ab,|cd_ef_gh"},
		{"abc,_de._fgh_ij", 9, "abc,_de.|fgh_ij"},
		// No punctuation within the limit: the last space that fits.
		{"ab_cd_ef_gh", 6, "ab_cd|ef_gh"},
		{"ab_cd_ef_gh", 5, "ab_cd|ef_gh"},
		// A cut right at the limit: the space at index limit.
		{"abcde_fg", 5, "abcde|fg"},
		// No space or punctuation at all: hard cuts at the limit.
		{"abcdefghij", 4, "abcd|efgh|ij"},
		// A comma at index 0 of the rest cannot make an empty chunk.
		{"abcd_,efgh", 4, "abcd|,efg|h"},
	}
	for _, c := range cases {
		got := splitKokoroTokens(tokens(c.in), c.limit)
		if spell(got) != c.want {
			t.Errorf("split(%q, %d) = %q, want %q", c.in, c.limit, spell(got), c.want)
		}
		for _, chunk := range got {
			if len(chunk) == 0 || len(chunk) > c.limit {
				t.Errorf("split(%q, %d): chunk of %d ids", c.in, c.limit, len(chunk))
			}
		}
	}
}

func TestKokoroSpacedClauses(t *testing.T) {
	in := []clause{{phonemes: "wʌn", punct: ""}, {phonemes: "tuː", punct: ", "}, {phonemes: "θɹiː", punct: ".", sentenceEnd: true}}
	got := sentencesOf(spacedClauses(in), kokoroPhonemes)
	if len(got) != 1 || string(got[0]) != "wʌn tuː, θɹiː." {
		t.Errorf("sentences = %q", got)
	}
	if in[0].punct != "" {
		t.Error("spacedClauses changed its input")
	}
}
