package asr

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// wordBoundary is SentencePiece's word-start mark, U+2581.
const wordBoundary = "\u2581"

// argmax returns the index of the largest value (the first on ties).
func argmax(row []float32) int {
	best := 0
	for i, v := range row {
		if v > row[best] {
			best = i
		}
	}
	return best
}

// GreedyCTC decodes frames [0, frames) of row-major logits [T, vocab]:
// argmax per frame, repeats collapsed, blank dropped.
func GreedyCTC(logits []float32, frames, vocab, blank int) []int {
	frames = min(frames, len(logits)/max(vocab, 1))
	var ids []int
	prev := -1
	for t := 0; t < frames; t++ {
		id := argmax(logits[t*vocab : (t+1)*vocab])
		if id != prev && id != blank {
			ids = append(ids, id)
		}
		prev = id
	}
	return ids
}

// isTag reports a SenseVoice tag piece such as "<|en|>" or "<|NEUTRAL|>".
func isTag(p string) bool {
	return len(p) > 4 && strings.HasPrefix(p, "<|") && strings.HasSuffix(p, "|>")
}

// byteFallback returns the byte of a SentencePiece byte piece "<0xNN>".
func byteFallback(p string) (byte, bool) {
	if len(p) != 6 || !strings.HasPrefix(p, "<0x") || p[5] != '>' {
		return 0, false
	}
	v, err := strconv.ParseUint(p[3:5], 16, 8)
	return byte(v), err == nil
}

// SentencePieceText joins SentencePiece pieces: tags "<|...|>" are returned
// apart, "<0xNN>" pieces become raw bytes (invalid UTF-8 becomes U+FFFD),
// "▁" becomes a space, and the text is trimmed.
func SentencePieceText(pieces []string) (text string, tags []string) {
	var b []byte
	for _, p := range pieces {
		if isTag(p) {
			tags = append(tags, p)
			continue
		}
		if c, ok := byteFallback(p); ok {
			b = append(b, c)
			continue
		}
		b = append(b, strings.ReplaceAll(p, wordBoundary, " ")...)
	}
	return strings.TrimSpace(strings.ToValidUTF8(string(b), "\uFFFD")), tags
}

// ParaformerIDs decodes row-major log-probabilities [L, vocab] as FunASR
// does: argmax per position, ids blank and eos dropped, then the first
// tokenNum-1 kept (the predictor counts one extra token, predictor_bias 1).
func ParaformerIDs(logits []float32, positions, vocab, tokenNum, blank, eos int) []int {
	positions = min(positions, len(logits)/max(vocab, 1))
	keep := tokenNum - 1
	var ids []int
	for k := 0; k < positions && len(ids) < keep; k++ {
		id := argmax(logits[k*vocab : (k+1)*vocab])
		if id != blank && id != eos {
			ids = append(ids, id)
		}
	}
	return ids
}

// specialToken reports Paraformer pieces that never reach the text.
func specialToken(p string) bool {
	switch p {
	case "<s>", "</s>", "<unk>", "<blank>", "<OOV>":
		return true
	}
	return false
}

// isASCII reports a piece made of ASCII only (an English word or part).
func isASCII(p string) bool {
	for i := 0; i < len(p); i++ {
		if p[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// JoinTokens joins Paraformer tokens: CJK pieces are concatenated, ASCII
// words are separated by spaces, a piece ending in "@@" is glued to the
// next, a space separates ASCII from CJK, and special tokens (<s>, </s>,
// <unk>, <blank>) are dropped.
func JoinTokens(pieces []string) string {
	var sb strings.Builder
	glue, prevASCII, first := false, false, true
	for _, p := range pieces {
		if specialToken(p) || p == "" {
			continue
		}
		cont := strings.HasSuffix(p, "@@")
		p = strings.TrimSuffix(p, "@@")
		ascii := isASCII(p)
		if !first && !glue && (ascii || prevASCII) {
			sb.WriteByte(' ')
		}
		sb.WriteString(p)
		glue, prevASCII, first = cont, ascii, false
	}
	return strings.TrimSpace(sb.String())
}
