package asr

import (
	"context"
	"fmt"
	"slices"

	"parley/gpu"
	"parley/pipeline/asr/frontend"
)

// whisperMaxSeconds is the longest piece one Whisper run transcribes.
const whisperMaxSeconds = float64(frontend.WhisperSamples) / sampleRate

// WhisperResult is the transcript of one segment.
type WhisperResult struct {
	// Text is the transcript, trimmed; "" when nothing was recognised.
	Text string
	// Language is the code of the language decoded, e.g. "en" (detected
	// when the engine's language is auto; "en" for English-only models).
	Language string
	// Tokens are the text tokens decoded (special tokens left out).
	Tokens []int
}

// RecognizeBatch implements BatchRecognizer: the texts of Recognize.
func (w *Whisper) RecognizeBatch(ctx context.Context, segments [][]float32) ([]string, error) {
	res, err := w.Recognize(ctx, segments)
	if err != nil {
		return nil, err
	}
	texts := make([]string, len(res))
	for i, r := range res {
		texts[i] = r.Text
	}
	return texts, nil
}

// Recognize transcribes 16 kHz segments, all in one batch. A segment longer
// than 30 s is cut (at a quiet point, see SplitLong) into pieces decoded
// side by side and joined; an empty segment yields an empty result.
func (w *Whisper) Recognize(ctx context.Context, segments [][]float32) ([]WhisperResult, error) {
	if w.closed.Load() {
		return nil, fmt.Errorf("whisper: %w", ErrClosed)
	}
	pieces, owner := whisperPieces(segments)
	out := make([]WhisperResult, len(segments))
	if len(pieces) == 0 {
		return out, ctx.Err()
	}
	ids, langs, err := w.decodeBatch(ctx, pieces)
	if err != nil {
		return nil, err
	}
	for j, seg := range owner {
		if out[seg].Tokens == nil {
			out[seg].Language = w.languageCode(langs[j])
		}
		out[seg].Tokens = append(out[seg].Tokens, ids[j]...)
	}
	for i := range out {
		out[i].Text = w.tokens.Text(out[i].Tokens)
	}
	return out, nil
}

// whisperPieces cuts the segments into pieces of at most 30 s, leaving
// empty segments out; owner[i] is the segment piece i came from.
func whisperPieces(segments [][]float32) (pieces [][]float32, owner []int) {
	for i, s := range segments {
		if len(s) == 0 {
			continue
		}
		for _, p := range SplitLong(s, whisperMaxSeconds) {
			pieces, owner = append(pieces, p), append(owner, i)
		}
	}
	return pieces, owner
}

// languageCode names a language token ("en" for English-only models).
func (w *Whisper) languageCode(token int) string {
	if i := slices.Index(w.meta.langTokens, token); i >= 0 {
		return w.meta.langCodes[i]
	}
	return "en"
}

// crossKV is the encoder's output for a batch: the decoder's cross
// attention keys and values, [n_text_layer, N, T', n_text_state] each.
type crossKV struct{ k, v gpu.Tensor }

// decodeBatch encodes the pieces (each at most 30 s) and decodes them
// greedily in lock step; it returns each piece's text tokens and language
// token.
func (w *Whisper) decodeBatch(ctx context.Context, pieces [][]float32) ([][]int, []int, error) {
	cross, err := w.encode(ctx, pieces)
	if err != nil {
		return nil, nil, err
	}
	langs, err := w.languages(ctx, len(pieces), cross)
	if err != nil {
		return nil, nil, err
	}
	d := w.newDecoding(pieces, langs)
	if err := d.run(ctx, w, cross); err != nil {
		return nil, nil, err
	}
	return d.ids, langs, nil
}

// encode computes the mel spectrograms and runs the encoder.
func (w *Whisper) encode(ctx context.Context, pieces [][]float32) (crossKV, error) {
	n, size := len(pieces), w.mel.NumMels()*frontend.WhisperFrames
	mel := make([]float32, 0, n*size)
	for _, p := range pieces {
		if err := ctx.Err(); err != nil {
			return crossKV{}, fmt.Errorf("whisper: %w", err)
		}
		mel = append(mel, w.mel.Compute(p)...)
	}
	in := gpu.Tensor{Name: "mel", Shape: []int64{int64(n), int64(w.mel.NumMels()), frontend.WhisperFrames}, Data: mel}
	out, err := w.enc.Run(ctx, []gpu.Tensor{in}, []string{"n_layer_cross_k", "n_layer_cross_v"})
	if err != nil {
		return crossKV{}, fmt.Errorf("whisper: run %s: %w", w.encFile, err)
	}
	for _, t := range out {
		s := t.Shape
		if len(s) != 4 || s[0] != int64(w.meta.nTextLayer) || s[1] != int64(n) || s[3] != int64(w.meta.nTextState) || t.Elements() != int64(len(floats(t))) {
			return crossKV{}, fmt.Errorf("whisper: %s: %w: output %q has shape %v, want [%d %d T %d]",
				w.encFile, ErrContract, t.Name, s, w.meta.nTextLayer, n, w.meta.nTextState)
		}
	}
	return crossKV{k: out[0], v: out[1]}, nil
}

// floats is t's float32 data (nil for other types).
func floats(t gpu.Tensor) []float32 {
	d, _ := t.Data.([]float32)
	return d
}

// languages returns each piece's language token: the configured one, or
// for multilingual models in auto mode the language token the decoder
// rates highest after [sot] (offset 0, empty caches).
func (w *Whisper) languages(ctx context.Context, n int, cross crossKV) ([]int, error) {
	if w.language >= 0 || !w.meta.multilingual {
		return repeat(w.language, n), nil
	}
	tokens := repeat(w.meta.sot, n)
	k, v := w.emptyCache(n), w.emptyCache(n)
	logits, _, _, err := w.step(ctx, tokens, 1, k, v, cross, 0)
	if err != nil {
		return nil, err
	}
	langs := make([]int, n)
	for i := range langs {
		row := logits[i*w.meta.nVocab : (i+1)*w.meta.nVocab]
		best := w.meta.langTokens[0]
		for _, id := range w.meta.langTokens[1:] {
			if row[id] > row[best] {
				best = id
			}
		}
		langs[i] = best
	}
	return langs, nil
}

// emptyCache is a zero self-attention cache for n items.
func (w *Whisper) emptyCache(n int) gpu.Tensor {
	m := w.meta
	return gpu.Tensor{Shape: []int64{int64(m.nTextLayer), int64(n), int64(m.nTextCtx), int64(m.nTextState)},
		Data: make([]float32, m.nTextLayer*n*m.nTextCtx*m.nTextState)}
}

// step runs the decoder on tokens ([N, perItem], row-major) at offset and
// returns the logits [N, perItem, n_vocab] and the updated caches.
func (w *Whisper) step(ctx context.Context, tokens []int, perItem int, k, v gpu.Tensor, cross crossKV, offset int) ([]float32, gpu.Tensor, gpu.Tensor, error) {
	n := len(tokens) / perItem
	ids := make([]int64, len(tokens))
	for i, t := range tokens {
		ids[i] = int64(t)
	}
	k.Name, v.Name = "in_n_layer_self_k_cache", "in_n_layer_self_v_cache"
	in := []gpu.Tensor{
		{Name: "tokens", Shape: []int64{int64(n), int64(perItem)}, Data: ids}, k, v,
		{Name: "n_layer_cross_k", Shape: cross.k.Shape, Data: cross.k.Data},
		{Name: "n_layer_cross_v", Shape: cross.v.Shape, Data: cross.v.Data},
		{Name: "offset", Shape: []int64{1}, Data: []int64{int64(offset)}},
	}
	out, err := w.dec.Run(ctx, in, []string{"logits", "out_n_layer_self_k_cache", "out_n_layer_self_v_cache"})
	if err != nil {
		return nil, k, v, fmt.Errorf("whisper: run %s: %w", w.decFile, err)
	}
	logits := floats(out[0])
	if s := out[0].Shape; len(s) != 3 || s[0] != int64(n) || s[1] != int64(perItem) || s[2] != int64(w.meta.nVocab) || len(logits) != n*perItem*w.meta.nVocab {
		return nil, k, v, fmt.Errorf("whisper: %s: %w: output \"logits\" has shape %v, want [%d %d %d]", w.decFile, ErrContract, s, n, perItem, w.meta.nVocab)
	}
	for _, c := range out[1:] {
		if !slices.Equal(c.Shape, k.Shape) || len(floats(c)) != len(floats(k)) {
			return nil, k, v, fmt.Errorf("whisper: %s: %w: output %q has shape %v, want the input cache's %v", w.decFile, ErrContract, c.Name, c.Shape, k.Shape)
		}
	}
	return logits, out[1], out[2], nil
}

// decoding is the state of greedy decoding for a batch of pieces.
type decoding struct {
	prompt []int   // [N, promptLen] row-major
	limit  []int   // most text tokens per piece
	ids    [][]int // text tokens so far
	done   []bool
}

// newDecoding builds the prompts and token limits. The limit follows
// sherpa-onnx: 6 tokens per second of audio, at most n_text_ctx/2, and
// never past the last decoder position.
func (w *Whisper) newDecoding(pieces [][]float32, langs []int) *decoding {
	n, plen := len(pieces), w.meta.promptLen()
	d := &decoding{prompt: make([]int, 0, n*plen), limit: make([]int, n), ids: make([][]int, n), done: make([]bool, n)}
	for i, p := range pieces {
		d.prompt = append(d.prompt, w.prompt(langs[i])...)
		frames := min(len(p), frontend.WhisperSamples) / frontend.WhisperHop
		d.limit[i] = min(frames*6/100, w.meta.nTextCtx/2, w.meta.nTextCtx-1-plen)
	}
	return d
}

// prompt is the sot sequence with the language and task filled in
// (multilingual models), then no_timestamps.
func (w *Whisper) prompt(lang int) []int {
	p := append(slices.Clone(w.meta.sotSequence), w.meta.noTimestamps)
	if w.meta.multilingual {
		p[w.meta.sotIndex+1], p[w.meta.sotIndex+2] = lang, w.task
	}
	return p
}

// run feeds the prompts, then each piece's last token, until every piece
// has produced eot or reached its limit. Pieces that are done are fed
// eot so the batch stays in step; their outputs are ignored.
func (d *decoding) run(ctx context.Context, w *Whisper, cross crossKV) error {
	n, vocab := len(d.ids), w.meta.nVocab
	offset, perItem, tokens := 0, w.meta.promptLen(), d.prompt
	k, v := w.emptyCache(n), w.emptyCache(n)
	for {
		logits, kOut, vOut, err := w.step(ctx, tokens, perItem, k, v, cross, offset)
		if err != nil {
			return err
		}
		block := perItem * vocab
		offset, tokens, k, v, perItem = offset+perItem, make([]int, n), kOut, vOut, 1
		for i := range n {
			last := logits[(i+1)*block-vocab : (i+1)*block]
			tokens[i] = d.accept(i, argmax(last), w.meta.eot)
		}
		if !slices.Contains(d.done, false) {
			return nil
		}
	}
}

// accept records piece i's next token and returns what to feed it next:
// the token, or eot once the piece is done (eot seen, or its limit).
func (d *decoding) accept(i, next, eot int) int {
	if d.done[i] || next == eot || len(d.ids[i]) >= d.limit[i] {
		d.done[i] = true
		return eot
	}
	d.ids[i] = append(d.ids[i], next)
	if len(d.ids[i]) >= d.limit[i] {
		d.done[i] = true
		return eot
	}
	return next
}
