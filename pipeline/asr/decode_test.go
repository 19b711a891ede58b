package asr_test

import (
	"slices"
	"testing"

	"parley/pipeline/asr"
)

// oneHot builds row-major logits [len(ids), vocab] whose argmax spells ids.
func oneHot(ids []int, vocab int) []float32 {
	out := make([]float32, len(ids)*vocab)
	for t, id := range ids {
		for v := range vocab {
			out[t*vocab+v] = -float32(v % 3)
		}
		out[t*vocab+id] = 5
	}
	return out
}

func TestDecodeGreedyCTC(t *testing.T) {
	cases := []struct {
		name   string
		frames []int
		n      int
		want   []int
	}{
		{"collapse and blank", []int{0, 3, 3, 0, 3, 4, 4, 0}, 8, []int{3, 3, 4}},
		{"length cuts", []int{1, 2, 2, 5, 5}, 3, []int{1, 2}},
		{"length past end", []int{1, 2}, 10, []int{1, 2}},
		{"all blank", []int{0, 0, 0}, 3, nil},
		{"none", nil, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := asr.GreedyCTC(oneHot(c.frames, 6), c.n, 6, 0); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestDecodeSentencePieceText(t *testing.T) {
	cases := []struct {
		name   string
		pieces []string
		text   string
		tags   []string
	}{
		{"words", []string{"<|en|>", "<|NEUTRAL|>", "<|Speech|>", "<|woitn|>", "\u2581hello", "\u2581wor", "ld"},
			"hello world", []string{"<|en|>", "<|NEUTRAL|>", "<|Speech|>", "<|woitn|>"}},
		{"cjk then word", []string{"你", "好", "\u2581parley", "."}, "你好 parley.", nil},
		{"byte fallback", []string{"\u2581a", "<0xE4>", "<0xBD>", "<0xA0>", "b"}, "a你b", nil},
		{"broken bytes", []string{"x", "<0xE4>", "<0xBD>"}, "x\uFFFD", nil},
		{"not a byte piece", []string{"<0xZZ>", "<0x4>"}, "<0xZZ><0x4>", nil},
		{"space piece and lone mark", []string{"a", " ", "b", "\u2581"}, "a b", nil},
		{"only tags", []string{"<|zh|>", "<|nospeech|>"}, "", []string{"<|zh|>", "<|nospeech|>"}},
		{"short tag-like", []string{"<||>"}, "<||>", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text, tags := asr.SentencePieceText(c.pieces)
			if text != c.text || !slices.Equal(tags, c.tags) {
				t.Errorf("got %q %q, want %q %q", text, tags, c.text, c.tags)
			}
		})
	}
}

func TestDecodeParaformerIDs(t *testing.T) {
	cases := []struct {
		name string
		pos  []int
		num  int
		want []int
	}{
		{"tokens then eos then garbage", []int{5, 6, 2, 7, 7}, 3, []int{5, 6}},
		{"blank and eos skipped, count kept", []int{0, 5, 2, 6, 7}, 3, []int{5, 6}},
		{"token_num 1 is empty", []int{2, 5}, 1, nil},
		{"token_num past L", []int{5, 6}, 9, []int{5, 6}},
		{"token_num 0", []int{5}, 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := asr.ParaformerIDs(oneHot(c.pos, 8), len(c.pos), 8, c.num, 0, 2); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestDecodeJoinTokens(t *testing.T) {
	cases := []struct {
		name   string
		pieces []string
		want   string
	}{
		{"cjk", []string{"你", "好", "世", "界"}, "你好世界"},
		{"ascii words", []string{"hello", "world"}, "hello world"},
		{"bpe glue", []string{"wor@@", "ld", "par@@", "le@@", "y"}, "world parley"},
		{"mixed", []string{"你", "好", "hello", "wor@@", "ld", "世", "界"}, "你好 hello world 世界"},
		{"specials dropped", []string{"<s>", "<blank>", "a", "<unk>", "b", "</s>"}, "a b"},
		{"glue into cjk", []string{"ab@@", "你"}, "ab你"},
		{"trailing glue", []string{"a", "b@@"}, "a b"},
		{"empty", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := asr.JoinTokens(c.pieces); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
