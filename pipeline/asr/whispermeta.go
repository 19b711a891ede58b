package asr

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"parley/gpu"
)

// whisperMeta is what the encoder's metadata (sherpa-onnx export,
// MODEL_CONTRACTS.md section 3a) says about the model.
type whisperMeta struct {
	nMels, nTextLayer, nTextCtx, nTextState, nVocab int
	sot, eot, noTimestamps, transcribe, translate   int
	sotSequence                                     []int
	sotIndex                                        int
	multilingual                                    bool
	langTokens                                      []int
	langCodes                                       []string
}

// whisperContracts are the encoder's and the decoder's tensors. Extra
// decoder outputs (the attention export's cross-attention weights) are
// allowed and ignored.
func whisperContracts() (encoder, decoder contract) {
	f4 := func(n string) tensorRule { return tensorRule{name: n, types: typesFloat, rank: 4} }
	i64 := []string{"int64"}
	encoder = contract{variant: VariantSherpa,
		inputs:  []tensorRule{{name: "mel", types: typesFloat, rank: 3}},
		outputs: []tensorRule{f4("n_layer_cross_k"), f4("n_layer_cross_v")}}
	decoder = contract{variant: VariantSherpa,
		inputs: []tensorRule{{name: "tokens", types: i64, rank: 2},
			f4("in_n_layer_self_k_cache"), f4("in_n_layer_self_v_cache"),
			f4("n_layer_cross_k"), f4("n_layer_cross_v"), {name: "offset", types: i64, rank: 1}},
		outputs: []tensorRule{{name: "logits", types: typesFloat, rank: 3},
			f4("out_n_layer_self_k_cache"), f4("out_n_layer_self_v_cache")}}
	return encoder, decoder
}

// readWhisperMeta reads and checks the encoder metadata.
func readWhisperMeta(md metadata) (whisperMeta, error) {
	var w whisperMeta
	if t, ok := md.m["model_type"]; ok && !strings.HasPrefix(t, "whisper") {
		return w, fmt.Errorf("%s: %w: metadata \"model_type\" = %q, want whisper-<name>", md.file, ErrContract, t)
	}
	ints := []struct {
		key string
		dst *int
	}{
		{"n_mels", &w.nMels}, {"n_text_layer", &w.nTextLayer}, {"n_text_ctx", &w.nTextCtx},
		{"n_text_state", &w.nTextState}, {"n_vocab", &w.nVocab}, {"sot", &w.sot}, {"eot", &w.eot},
		{"no_timestamps", &w.noTimestamps}, {"transcribe", &w.transcribe}, {"translate", &w.translate},
	}
	for _, f := range ints {
		v, err := md.int(f.key)
		if err != nil {
			return w, err
		}
		*f.dst = v
	}
	if err := w.readPrompt(md); err != nil {
		return w, err
	}
	return w, w.check(md.file)
}

// readPrompt reads the sot sequence and, for multilingual models, the
// language tokens and codes.
func (w *whisperMeta) readPrompt(md metadata) error {
	var err error
	if w.sotSequence, err = md.intList("sot_sequence"); err != nil {
		return err
	}
	if w.sotIndex, err = md.intOr("sot_index", 0); err != nil {
		return err
	}
	ml, err := md.int("is_multilingual")
	if err != nil || ml == 0 {
		return err
	}
	w.multilingual = true
	if w.langTokens, err = md.intList("all_language_tokens"); err != nil {
		return err
	}
	w.langCodes = md.stringList("all_language_codes")
	if len(w.langCodes) != len(w.langTokens) || len(w.langTokens) == 0 {
		return fmt.Errorf("%s: %w: metadata has %d all_language_tokens and %d all_language_codes, want the same number (> 0)",
			md.file, ErrContract, len(w.langTokens), len(w.langCodes))
	}
	return nil
}

// check validates the values against each other.
func (w *whisperMeta) check(file string) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: %w: metadata %s", file, ErrContract, fmt.Sprintf(format, args...))
	}
	switch {
	case w.nMels != 80 && w.nMels != 128:
		return bad("\"n_mels\" = %d, want 80 or 128", w.nMels)
	case w.nTextLayer < 1 || w.nTextState < 1:
		return bad("\"n_text_layer\" = %d, \"n_text_state\" = %d, want both >= 1", w.nTextLayer, w.nTextState)
	case w.sotIndex < 0 || w.sotIndex >= len(w.sotSequence) || w.sotSequence[w.sotIndex] != w.sot:
		return bad("\"sot_sequence\" = %v with \"sot_index\" %d does not hold sot %d there", w.sotSequence, w.sotIndex, w.sot)
	case w.multilingual && len(w.sotSequence) < w.sotIndex+3:
		return bad("\"sot_sequence\" = %v: a multilingual model needs sot, language, task", w.sotSequence)
	case w.nTextCtx < w.promptLen()+2:
		return bad("\"n_text_ctx\" = %d leaves no room after a %d-token prompt", w.nTextCtx, w.promptLen())
	}
	names := []string{"sot", "eot", "no_timestamps", "transcribe", "translate"}
	ids := []int{w.sot, w.eot, w.noTimestamps, w.transcribe, w.translate}
	for i, id := range w.langTokens {
		names, ids = append(names, "language "+w.langCodes[i]), append(ids, id)
	}
	for i, id := range ids {
		if id < 0 || id >= w.nVocab {
			return bad("%s token %d outside the vocabulary [0, %d) (\"n_vocab\")", names[i], id, w.nVocab)
		}
	}
	return nil
}

// promptLen is the length of the decoder prompt: the sot sequence plus
// no_timestamps.
func (w *whisperMeta) promptLen() int { return len(w.sotSequence) + 1 }

// checkShapes checks the declared static dimensions of the encoder's and
// decoder's tensors against the metadata (-1 dimensions are dynamic).
func (w *whisperMeta) checkShapes(encFile string, enc gpu.ModelInfo, decFile string, dec gpu.ModelInfo) error {
	cache := map[int]int{0: w.nTextLayer, 2: w.nTextCtx, 3: w.nTextState}
	cross := map[int]int{0: w.nTextLayer, 3: w.nTextState}
	checks := []struct {
		file  string
		infos []gpu.TensorInfo
		name  string
		dims  map[int]int
	}{
		{encFile, enc.Inputs, "mel", map[int]int{1: w.nMels}},
		{encFile, enc.Outputs, "n_layer_cross_k", cross}, {encFile, enc.Outputs, "n_layer_cross_v", cross},
		{decFile, dec.Inputs, "in_n_layer_self_k_cache", cache}, {decFile, dec.Inputs, "in_n_layer_self_v_cache", cache},
		{decFile, dec.Inputs, "n_layer_cross_k", cross}, {decFile, dec.Inputs, "n_layer_cross_v", cross},
		{decFile, dec.Outputs, "logits", map[int]int{2: w.nVocab}},
	}
	for _, c := range checks {
		if err := checkDims(c.file, c.infos, c.name, c.dims); err != nil {
			return err
		}
	}
	return nil
}

// checkDims checks the declared dimensions of one tensor.
func checkDims(file string, infos []gpu.TensorInfo, name string, want map[int]int) error {
	i := slices.IndexFunc(infos, func(t gpu.TensorInfo) bool { return t.Name == name })
	if i < 0 {
		return nil // checkContract reports missing tensors
	}
	shape := infos[i].Shape
	for axis, v := range want {
		if axis < len(shape) && shape[axis] > 0 && shape[axis] != int64(v) {
			return fmt.Errorf("%s: %w: %q has shape %v, the encoder metadata wants dimension %d = %d",
				file, ErrContract, name, shape, axis, v)
		}
	}
	return nil
}

// intList returns the comma-separated integers at key.
func (md metadata) intList(key string) ([]int, error) {
	v, ok := md.m[key]
	if !ok {
		return nil, fmt.Errorf("%s: %w: metadata key %q missing", md.file, ErrContract, key)
	}
	var out []int
	for _, s := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("%s: %w: metadata %q = %q, want comma-separated integers", md.file, ErrContract, key, v)
		}
		out = append(out, n)
	}
	return out, nil
}

// stringList returns the comma-separated values at key (nil when absent).
func (md metadata) stringList(key string) []string {
	v, ok := md.m[key]
	if !ok || strings.TrimSpace(v) == "" {
		return nil
	}
	out := strings.Split(v, ",")
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out
}
