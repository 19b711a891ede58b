package asr

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"parley/gpu"
)

// paraformerContract is Paraformer-large offline's layout (FunASR export;
// sherpa-onnx ships the same graph with metadata). token_num is int32 in
// current exports and int64 in older ones; BiCif exports add us_alphas and
// us_cif_peak, which are not used.
func paraformerContract() contract {
	return contract{
		variant: VariantFunASR,
		inputs: []tensorRule{
			{name: "speech", types: typesFloat, rank: 3, lastDim: featureDim},
			{name: "speech_lengths", types: typesInt, rank: 1},
		},
		outputs: []tensorRule{
			{name: "logits", types: typesFloat, rank: 3},
			{name: "token_num", types: typesInt, rank: 1},
		},
		optional: []tensorRule{
			{name: "us_alphas", types: typesFloat, rank: 2},
			{name: "us_cif_peak", types: typesFloat, rank: 2},
		},
	}
}

// ParaformerOptions configures NewParaformer.
type ParaformerOptions struct {
	ModelOptions
}

// Paraformer is the Paraformer-large offline engine (FunASR export or
// sherpa-onnx repackage). It is safe for concurrent use; each run is one
// batch.
type Paraformer struct {
	core    *onnxCore
	variant Variant
	lenType string
	blank   int
	eos     int
}

// NewParaformer loads a Paraformer model directory and checks it against
// its contract: tensor names, types and ranks, metadata keys (sherpa-onnx),
// vocabulary size, special tokens and CMVN. Errors wrap ErrContract or
// ErrModelMissing and name the file, tensor or key.
func NewParaformer(ctx context.Context, opts ParaformerOptions) (*Paraformer, error) {
	core, err := openCore(ctx, "paraformer", opts.ModelOptions)
	if err != nil {
		return nil, err
	}
	p := &Paraformer{core: core}
	if err := p.configure(); err != nil {
		return nil, core.failOpen(err)
	}
	return p, nil
}

// configure validates the model and reads its settings.
func (p *Paraformer) configure() error {
	info := p.core.runner.Info()
	c := paraformerContract()
	if err := checkContract(p.core.file, info, c); err != nil {
		return err
	}
	md := metadata{file: p.core.file, m: info.Metadata}
	p.variant = p.detectVariant(md)
	sherpa := p.variant == VariantSherpa
	if sherpa {
		if _, err := md.int("vocab_size"); err != nil {
			return err
		}
	}
	if err := checkVocab(md, p.core.tokens, "logits", lastDim(info.Outputs, "logits")); err != nil {
		return err
	}
	if err := p.specials(); err != nil {
		return err
	}
	p.lenType = tensorType(info.Inputs, "speech_lengths")
	m, n, err := md.lfr(sherpa)
	if err != nil {
		return err
	}
	cmvn, err := md.cmvn(p.core.files.AMMVN)
	if err != nil {
		return err
	}
	return p.core.setFrontEnd(m, n, cmvn, false)
}

// detectVariant: sherpa-onnx repackages carry vocab_size metadata and
// tokens.txt; FunASR exports have tokens.json.
func (p *Paraformer) detectVariant(md metadata) Variant {
	if md.has("vocab_size") || !strings.EqualFold(filepath.Ext(p.core.files.Tokens), ".json") {
		return VariantSherpa
	}
	return VariantFunASR
}

// specials finds blank (id 0) and </s> in the vocabulary.
func (p *Paraformer) specials() error {
	tok := p.core.tokens
	if first, _ := tok.Piece(0); first != "<blank>" {
		return fmt.Errorf("%w: %s: id 0 is %q, want \"<blank>\"", ErrContract, tok.Source, first)
	}
	eos, ok := tok.ID("</s>")
	if !ok {
		return fmt.Errorf("%w: %s: no \"</s>\" token", ErrContract, tok.Source)
	}
	p.blank, p.eos = 0, eos
	return nil
}

// Paraformer is an Engine and a BatchRecognizer.
var (
	_ Engine          = (*Paraformer)(nil)
	_ BatchRecognizer = (*Paraformer)(nil)
)

// Name implements Engine.
func (p *Paraformer) Name() string { return "paraformer" }

// Device implements Engine: where the runner runs now.
func (p *Paraformer) Device() string { return gpu.ActiveDevice(p.core.runner) }

// Variant reports which export the model directory holds.
func (p *Paraformer) Variant() Variant { return p.variant }

// Files returns the model's files.
func (p *Paraformer) Files() ModelFiles { return p.core.files }

// NewStream implements Engine.
func (p *Paraformer) NewStream(ctx context.Context) (Stream, error) { return p.core.newStream(ctx, p) }

// Close implements Engine. It closes the model only if the engine built it.
func (p *Paraformer) Close() error { return p.core.close() }

// RecognizeBatch recognises 16 kHz segments in one model run and returns
// their texts in order; a segment too short for one frame yields "".
func (p *Paraformer) RecognizeBatch(ctx context.Context, segments [][]float32) ([]string, error) {
	texts := make([]string, len(segments))
	b, err := p.core.features(ctx, segments)
	if err != nil || len(b.index) == 0 {
		return texts, err
	}
	in := []gpu.Tensor{b.featureTensor("speech"), intTensor("speech_lengths", p.lenType, b.lengths)}
	out, err := p.core.runner.Run(ctx, in, []string{"logits", "token_num"})
	if err != nil {
		return nil, fmt.Errorf("paraformer: run %s: %w", p.core.file, err)
	}
	data, positions, err := p.core.logitsOf(out[0], len(b.index))
	if err != nil {
		return nil, err
	}
	nums, err := intValues(out[1])
	if err != nil || len(nums) != len(b.index) {
		return nil, fmt.Errorf("paraformer: %s: %w: output \"token_num\" %v for a batch of %d (%v)", p.core.file, ErrContract, out[1].Shape, len(b.index), err)
	}
	vocab := p.core.tokens.Len()
	for i, seg := range b.index {
		item := data[i*positions*vocab : (i+1)*positions*vocab]
		ids := ParaformerIDs(item, positions, vocab, nums[i], p.blank, p.eos)
		texts[seg] = JoinTokens(p.core.tokens.Pieces(ids))
	}
	return texts, nil
}
