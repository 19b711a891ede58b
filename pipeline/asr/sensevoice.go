package asr

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"parley/gpu"
)

// senseVoicePrompts is SenseVoice's prompt-id table (MODEL_CONTRACTS.md
// section 1); FunASR exports carry no metadata, so it is their only source.
var senseVoicePrompts = map[string]int{
	"auto": 0, "zh": 3, "en": 4, "yue": 7, "ja": 11, "ko": 12, "nospeech": 13,
	"with_itn": 14, "without_itn": 15,
}

// senseVoiceContracts are the two SenseVoice exports: sherpa-onnx (x,
// x_length, language, text_norm -> logits) and FunASR (speech,
// speech_lengths, language, textnorm -> ctc_logits, encoder_out_lens).
func senseVoiceContracts() []contract {
	feats := func(n string) tensorRule { return tensorRule{name: n, types: typesFloat, rank: 3, lastDim: featureDim} }
	ints := func(n string) tensorRule { return tensorRule{name: n, types: typesInt, rank: 1} }
	logits := func(n string) tensorRule { return tensorRule{name: n, types: typesFloat, rank: 3} }
	return []contract{
		{variant: VariantSherpa,
			inputs:  []tensorRule{feats("x"), ints("x_length"), ints("language"), ints("text_norm")},
			outputs: []tensorRule{logits("logits")}},
		{variant: VariantFunASR,
			inputs:   []tensorRule{feats("speech"), ints("speech_lengths"), ints("language"), ints("textnorm")},
			outputs:  []tensorRule{logits("ctc_logits")},
			optional: []tensorRule{ints("encoder_out_lens")}},
	}
}

// SenseVoiceOptions configures NewSenseVoice.
type SenseVoiceOptions struct {
	ModelOptions
	// Language is the spoken language: "auto" (default), "zh", "en", "yue",
	// "ja", "ko" or any other lang_* key of the model's metadata.
	Language string
	// ITN asks the model for inverse text normalisation (punctuation,
	// digits) instead of spoken-form text.
	ITN bool
}

// SenseVoice is the SenseVoice-small CTC engine (sherpa-onnx or FunASR
// export). It is safe for concurrent use; each run is one batch.
type SenseVoice struct {
	core     *onnxCore
	contract contract
	intTypes [3]string // declared types of the length, language and text-norm inputs
	language int
	textNorm int
	blank    int
}

// NewSenseVoice loads a SenseVoice model directory and checks it against
// its contract: tensor names, types and ranks, metadata keys, vocabulary
// size and CMVN. Errors wrap ErrContract or ErrModelMissing and name the
// file, tensor or key.
func NewSenseVoice(ctx context.Context, opts SenseVoiceOptions) (*SenseVoice, error) {
	core, err := openCore(ctx, "sensevoice", opts.ModelOptions)
	if err != nil {
		return nil, err
	}
	s := &SenseVoice{core: core}
	if err := s.configure(opts); err != nil {
		return nil, core.failOpen(err)
	}
	return s, nil
}

// configure validates the model and reads its settings.
func (s *SenseVoice) configure(opts SenseVoiceOptions) error {
	info := s.core.runner.Info()
	c, err := detectContract(s.core.file, info, senseVoiceContracts())
	if err != nil {
		return err
	}
	s.contract = c
	for i := range s.intTypes {
		s.intTypes[i] = tensorType(info.Inputs, c.inputs[i+1].name)
	}
	md := metadata{file: s.core.file, m: info.Metadata}
	sherpa := c.variant == VariantSherpa
	if err := s.checkMetadata(md, sherpa); err != nil {
		return err
	}
	if err := checkVocab(md, s.core.tokens, c.outputs[0].name, lastDim(info.Outputs, c.outputs[0].name)); err != nil {
		return err
	}
	if err := s.prompts(md, opts, sherpa); err != nil {
		return err
	}
	if s.blank, err = md.intOr("blank_id", 0); err != nil {
		return err
	}
	return s.frontEnd(md, sherpa)
}

// checkMetadata checks the sherpa-onnx keys that identify the model.
func (s *SenseVoice) checkMetadata(md metadata, sherpa bool) error {
	if !sherpa {
		return nil
	}
	if got, ok := md.m["model_type"]; !ok || got != "sense_voice_ctc" {
		if !ok {
			return fmt.Errorf("%s: %w: metadata key \"model_type\" missing", md.file, ErrContract)
		}
		return fmt.Errorf("%s: %w: metadata \"model_type\" = %q, want \"sense_voice_ctc\"", md.file, ErrContract, got)
	}
	if _, err := md.int("vocab_size"); err != nil {
		return err
	}
	return nil
}

// prompts resolves the language and text-norm ids, from metadata for
// sherpa-onnx exports and from the contract's table otherwise.
func (s *SenseVoice) prompts(md metadata, opts SenseVoiceOptions, sherpa bool) error {
	lang := strings.ToLower(strings.TrimSpace(opts.Language))
	if lang == "" {
		lang = "auto"
	}
	itnKey := "without_itn"
	if opts.ITN {
		itnKey = "with_itn"
	}
	var err error
	if s.language, err = s.promptID(md, "lang_"+lang, lang, sherpa); err != nil {
		return err
	}
	s.textNorm, err = s.promptID(md, itnKey, itnKey, sherpa)
	return err
}

// promptID reads one prompt id: the metadata key for sherpa-onnx exports,
// the contract's table entry otherwise. An unknown language lists the known.
func (s *SenseVoice) promptID(md metadata, key, table string, sherpa bool) (int, error) {
	if sherpa && md.has(key) {
		return md.int(key)
	}
	if id, ok := senseVoicePrompts[table]; ok && !sherpa {
		return id, nil
	}
	if sherpa && !strings.HasPrefix(key, "lang_") {
		return 0, fmt.Errorf("%s: %w: metadata key %q missing", md.file, ErrContract, key)
	}
	if sherpa {
		return 0, fmt.Errorf("%s: %w: metadata key %q missing (languages: %s)", md.file, ErrContract, key, strings.Join(s.languages(md, sherpa), ", "))
	}
	return 0, fmt.Errorf("%s: %w: unknown language %q (languages: %s)", md.file, ErrContract, table, strings.Join(s.languages(md, sherpa), ", "))
}

// languages lists the languages the model knows.
func (s *SenseVoice) languages(md metadata, sherpa bool) []string {
	var out []string
	if sherpa {
		for k := range md.m {
			if l, ok := strings.CutPrefix(k, "lang_"); ok {
				out = append(out, l)
			}
		}
	} else {
		for k := range senseVoicePrompts {
			if !strings.Contains(k, "itn") {
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return out
}

// frontEnd reads LFR, CMVN and sample scaling and builds the fbank.
func (s *SenseVoice) frontEnd(md metadata, sherpa bool) error {
	m, n, err := md.lfr(sherpa)
	if err != nil {
		return err
	}
	cmvn, err := md.cmvn(s.core.files.AMMVN)
	if err != nil {
		return err
	}
	norm, err := md.intOr("normalize_samples", 0)
	if err != nil {
		return err
	}
	return s.core.setFrontEnd(m, n, cmvn, norm != 0)
}

// SenseVoice is an Engine and a BatchRecognizer.
var (
	_ Engine          = (*SenseVoice)(nil)
	_ BatchRecognizer = (*SenseVoice)(nil)
)

// Name implements Engine.
func (s *SenseVoice) Name() string { return "sensevoice" }

// Device implements Engine: where the runner runs now.
func (s *SenseVoice) Device() string { return gpu.ActiveDevice(s.core.runner) }

// Variant reports which export the model directory holds.
func (s *SenseVoice) Variant() Variant { return s.contract.variant }

// Files returns the model's files.
func (s *SenseVoice) Files() ModelFiles { return s.core.files }

// NewStream implements Engine.
func (s *SenseVoice) NewStream(ctx context.Context) (Stream, error) { return s.core.newStream(ctx, s) }

// Close implements Engine. It closes the model only if the engine built it.
func (s *SenseVoice) Close() error { return s.core.close() }

// RecognizeBatch recognises 16 kHz segments in one model run and returns
// their texts in order; a segment too short for one frame yields "".
func (s *SenseVoice) RecognizeBatch(ctx context.Context, segments [][]float32) ([]string, error) {
	texts, _, err := s.RecognizeTagged(ctx, segments)
	return texts, err
}

// RecognizeTagged is RecognizeBatch that also returns each segment's
// SenseVoice tags (language, emotion, event, ITN), e.g. "<|en|>".
func (s *SenseVoice) RecognizeTagged(ctx context.Context, segments [][]float32) ([]string, [][]string, error) {
	texts, tags := make([]string, len(segments)), make([][]string, len(segments))
	b, err := s.core.features(ctx, segments)
	if err != nil || len(b.index) == 0 {
		return texts, tags, err
	}
	out, err := s.core.runner.Run(ctx, s.inputs(b), []string{s.contract.outputs[0].name})
	if err != nil {
		return nil, nil, fmt.Errorf("sensevoice: run %s: %w", s.core.file, err)
	}
	data, frames, err := s.core.logitsOf(out[0], len(b.index))
	if err != nil {
		return nil, nil, err
	}
	vocab := s.core.tokens.Len()
	for i, seg := range b.index {
		item := data[i*frames*vocab : (i+1)*frames*vocab]
		ids := GreedyCTC(item, b.lengths[i]+4, vocab, s.blank)
		texts[seg], tags[seg] = SentencePieceText(s.core.tokens.Pieces(ids))
	}
	return texts, tags, nil
}

// inputs builds the four input tensors in the declared integer types.
func (s *SenseVoice) inputs(b featureBatch) []gpu.Tensor {
	in, n := s.contract.inputs, len(b.index)
	return []gpu.Tensor{
		b.featureTensor(in[0].name),
		intTensor(in[1].name, s.intTypes[0], b.lengths),
		intTensor(in[2].name, s.intTypes[1], repeat(s.language, n)),
		intTensor(in[3].name, s.intTypes[2], repeat(s.textNorm, n)),
	}
}
