package asr

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"parley/gpu"
	"parley/pipeline/asr/frontend"
)

// WhisperPullHint is what a missing Whisper model error suggests.
const WhisperPullHint = "parley models pull whisper-tiny.en, or set asr.whisper.model"

// WhisperFiles are the files of a sherpa-onnx Whisper export: <m>-encoder,
// <m>-decoder (.onnx and/or .int8.onnx) and <m>-tokens.txt, where <m> is
// the model's name (tiny.en, base, large-v3, turbo, ...). Large models keep
// their fp32 weights in <m>-encoder.weights / <m>-decoder.weights beside
// the graphs; ONNX Runtime reads them from there.
type WhisperFiles struct {
	// Dir is the model directory.
	Dir string
	// Prefix is <m>, e.g. "tiny.en".
	Prefix string
	// Encoder, EncoderInt8, Decoder and DecoderInt8 are the graphs ("" when absent).
	Encoder, EncoderInt8, Decoder, DecoderInt8 string
	// EncoderWeights and DecoderWeights are the external fp32 weights ("" when absent).
	EncoderWeights, DecoderWeights string
	// Tokens is <m>-tokens.txt.
	Tokens string
}

// FindWhisper lists the Whisper files in dir. A missing directory, graph
// or tokens file is an ErrModelMissing error naming what was looked for
// and how to install a model; two models in one folder are refused.
func FindWhisper(dir string) (WhisperFiles, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return WhisperFiles{}, fmt.Errorf("model directory %s: %w (%s)", dir, ErrModelMissing, WhisperPullHint)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*-tokens.txt"))
	if len(matches) != 1 {
		what := "no Whisper model here (no <name>-tokens.txt)"
		if len(matches) > 1 {
			what = "more than one model (" + strings.Join(baseNames(matches), ", ") + ")"
		}
		return WhisperFiles{}, fmt.Errorf("%s: %w: %s (%s)", dir, ErrModelMissing, what, WhisperPullHint)
	}
	p := strings.TrimSuffix(filepath.Base(matches[0]), "-tokens.txt")
	f := WhisperFiles{Dir: dir, Prefix: p, Tokens: matches[0],
		Encoder: existing(dir, p+"-encoder.onnx"), EncoderInt8: existing(dir, p+"-encoder.int8.onnx"),
		Decoder: existing(dir, p+"-decoder.onnx"), DecoderInt8: existing(dir, p+"-decoder.int8.onnx"),
		EncoderWeights: existing(dir, p+"-encoder.weights"), DecoderWeights: existing(dir, p+"-decoder.weights")}
	for _, g := range []struct{ fp32, int8, name string }{{f.Encoder, f.EncoderInt8, "encoder"}, {f.Decoder, f.DecoderInt8, "decoder"}} {
		if g.fp32 == "" && g.int8 == "" {
			return f, fmt.Errorf("%s: %w: neither %s-%s.onnx nor %s-%s.int8.onnx (%s)", dir, ErrModelMissing, p, g.name, p, g.name, WhisperPullHint)
		}
	}
	return f, nil
}

// baseNames returns the file names of paths.
func baseNames(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = filepath.Base(p)
	}
	return out
}

// Graphs returns the encoder and decoder to load: each one's int8 graph
// when preferInt8 and it exists (or when it is the only one), else fp32.
// Use fp32 on CUDA.
func (f WhisperFiles) Graphs(preferInt8 bool) (encoder, decoder string) {
	pick := func(fp32, int8 string) string {
		if int8 != "" && (preferInt8 || fp32 == "") {
			return int8
		}
		return fp32
	}
	return pick(f.Encoder, f.EncoderInt8), pick(f.Decoder, f.DecoderInt8)
}

// WhisperOptions configures NewWhisper.
type WhisperOptions struct {
	// Dir is the model directory (see FindWhisper).
	Dir string
	// PreferInt8 loads the int8 graphs when both kinds exist (the CPU choice).
	PreferInt8 bool
	// Encoder and Decoder, when both set, run the graphs the caller built
	// from FindWhisper(Dir).Graphs(PreferInt8), e.g. two gpu.Manager models;
	// the caller keeps owning them.
	Encoder, Decoder gpu.Runner
	// Loader builds the engine's own models when Encoder and Decoder are
	// nil; the engine closes them on Close.
	Loader ModelLoader
	// Device is where Loader's models run: "cpu" (default) or "cuda:N".
	Device string
	// FallbackToCPU retries CUDA failures on the CPU (Loader only).
	FallbackToCPU bool
	// IntraOpThreads overrides the runtime's CPU threads per run (Loader only).
	IntraOpThreads int
	// Language is the spoken language's code ("en", "de", ...); "" or
	// "auto" detects it per utterance (multilingual models; English-only
	// models accept only "en").
	Language string
	// Task is "transcribe" (default) or "translate" (into English;
	// multilingual models only).
	Task string
	// Partials makes Stream.Partial decode the audio so far. Off, Partial
	// returns "": each Whisper run encodes a whole 30 s window.
	Partials bool
}

// Whisper is the Whisper engine for sherpa-onnx exports: OpenAI's log-mel
// front end, the encoder, and greedy decoding with the decoder's self
// attention caches. It is safe for concurrent use.
type Whisper struct {
	files    WhisperFiles
	encFile  string
	decFile  string
	enc, dec gpu.Runner
	owned    []*gpu.Model
	tokens   *WhisperTokens
	meta     whisperMeta
	mel      *frontend.WhisperMel
	language int // language token, -1: detect
	task     int
	partials bool
	closed   atomic.Bool
}

// NewWhisper loads a Whisper model directory and checks both graphs
// against their contract (tensor names, types, ranks and static
// dimensions), the encoder metadata, and the tokens file. Errors wrap
// ErrContract or ErrModelMissing and name the file, tensor or key.
func NewWhisper(ctx context.Context, opts WhisperOptions) (*Whisper, error) {
	files, err := FindWhisper(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("whisper: %w", err)
	}
	w := &Whisper{files: files, partials: opts.Partials}
	w.encFile, w.decFile = files.Graphs(opts.PreferInt8)
	if w.tokens, err = LoadWhisperTokens(files.Tokens); err != nil {
		return nil, fmt.Errorf("whisper: %w", err)
	}
	if err := w.openRunners(ctx, opts); err != nil {
		return nil, err
	}
	if err := w.configure(opts); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("whisper: %w", err)
	}
	return w, nil
}

// openRunners takes the caller's runners or loads both graphs.
func (w *Whisper) openRunners(ctx context.Context, opts WhisperOptions) error {
	if opts.Encoder != nil && opts.Decoder != nil {
		w.enc, w.dec = opts.Encoder, opts.Decoder
		return nil
	}
	if opts.Encoder != nil || opts.Decoder != nil || opts.Loader == nil {
		return fmt.Errorf("whisper: %w: WhisperOptions needs both an Encoder and a Decoder runner, or a Loader", ErrInit)
	}
	dev := cmpOr(opts.Device, "cpu")
	for _, g := range []struct {
		name, path string
		dst        *gpu.Runner
	}{{"asr", w.encFile, &w.enc}, {"asr-decoder", w.decFile, &w.dec}} {
		m, err := opts.Loader.NewModel(ctx, gpu.ModelSpec{Name: g.name, Path: g.path, Device: dev,
			Priority: gpu.DefaultPriority("asr"), FallbackToCPU: opts.FallbackToCPU, IntraOpThreads: opts.IntraOpThreads})
		if err != nil {
			_ = w.Close()
			return fmt.Errorf("whisper: load %s: %w", g.path, w.externalHint(g.path, err))
		}
		w.owned = append(w.owned, m)
		*g.dst = m
	}
	return nil
}

// externalHint adds, to a failed fp32 load of a model without its
// .weights file beside it, that large models keep their weights there.
func (w *Whisper) externalHint(path string, err error) error {
	weights := strings.TrimSuffix(path, ".onnx") + ".weights"
	if strings.HasSuffix(path, ".int8.onnx") || existing(filepath.Dir(weights), filepath.Base(weights)) != "" {
		return err
	}
	return fmt.Errorf("%w (large Whisper models keep their weights in %s: is it missing?)", err, filepath.Base(weights))
}

// cmpOr returns s, or def when s is "".
func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// configure validates both graphs and the tokens, and resolves the prompt.
func (w *Whisper) configure(opts WhisperOptions) error {
	encC, decC := whisperContracts()
	encInfo, decInfo := w.enc.Info(), w.dec.Info()
	if err := checkContract(w.encFile, encInfo, encC); err != nil {
		return err
	}
	if err := checkContract(w.decFile, decInfo, decC); err != nil {
		return err
	}
	var err error
	if w.meta, err = readWhisperMeta(metadata{file: w.encFile, m: encInfo.Metadata}); err != nil {
		return err
	}
	if err := w.meta.checkShapes(w.encFile, encInfo, w.decFile, decInfo); err != nil {
		return err
	}
	if w.tokens.Len() != w.meta.eot {
		return fmt.Errorf("%w: %s has %d tokens, %s metadata eot = %d: the tokens file belongs to another model (English-only and multilingual vocabularies differ)",
			ErrContract, w.tokens.Source, w.tokens.Len(), w.encFile, w.meta.eot)
	}
	if w.mel, err = frontend.NewWhisperMel(w.meta.nMels); err != nil {
		return err
	}
	return w.resolvePrompt(opts.Language, opts.Task)
}

// resolvePrompt turns the language and task options into token ids.
func (w *Whisper) resolvePrompt(language, task string) error {
	language = strings.ToLower(strings.TrimSpace(language))
	switch task = cmpOr(strings.TrimSpace(task), "transcribe"); {
	case task == "transcribe":
		w.task = w.meta.transcribe
	case task == "translate" && w.meta.multilingual:
		w.task = w.meta.translate
	case task == "translate":
		return fmt.Errorf("%w: task \"translate\": %s is an English-only model", ErrInit, w.encFile)
	default:
		return fmt.Errorf("%w: task %q, want transcribe or translate", ErrInit, task)
	}
	w.language = -1
	if language == "" || language == "auto" {
		return nil
	}
	if !w.meta.multilingual {
		if language != "en" {
			return fmt.Errorf("%w: language %q: %s is an English-only model", ErrInit, language, w.encFile)
		}
		return nil
	}
	i := slices.Index(w.meta.langCodes, language)
	if i < 0 {
		return fmt.Errorf("%w: language %q unknown to %s (languages: %s)", ErrInit, language, w.encFile, strings.Join(w.meta.langCodes, ", "))
	}
	w.language = w.meta.langTokens[i]
	return nil
}

// Whisper is an Engine and a BatchRecognizer.
var (
	_ Engine          = (*Whisper)(nil)
	_ BatchRecognizer = (*Whisper)(nil)
)

// Name implements Engine.
func (w *Whisper) Name() string { return "whisper" }

// Device implements Engine: where the encoder runs, and the decoder's
// device after a "+" when it runs elsewhere (e.g. "cuda:0+cpu").
func (w *Whisper) Device() string {
	enc, dec := gpu.ActiveDevice(w.enc), gpu.ActiveDevice(w.dec)
	if enc == dec {
		return enc
	}
	return enc + "+" + dec
}

// Files returns the model's files.
func (w *Whisper) Files() WhisperFiles { return w.files }

// Graphs returns the encoder and decoder graphs in use.
func (w *Whisper) Graphs() (encoder, decoder string) { return w.encFile, w.decFile }

// Multilingual reports whether the model knows languages other than English.
func (w *Whisper) Multilingual() bool { return w.meta.multilingual }

// NewStream implements Engine.
func (w *Whisper) NewStream(ctx context.Context) (Stream, error) {
	if w.closed.Load() {
		return nil, fmt.Errorf("whisper: %w", ErrClosed)
	}
	s := &bufferedStream{rec: w}
	if w.partials {
		return s, ctx.Err()
	}
	return noPartials{s}, ctx.Err()
}

// noPartials is a bufferedStream whose Partial does not decode.
type noPartials struct{ *bufferedStream }

// Partial implements Stream: "" (see WhisperOptions.Partials).
func (s noPartials) Partial(ctx context.Context) (string, error) {
	if s.done {
		return "", ErrStreamDone
	}
	return "", ctx.Err()
}

// Close implements Engine. It closes the models only if the engine built them.
func (w *Whisper) Close() error {
	if w.closed.Swap(true) {
		return nil
	}
	var errs []error
	for _, m := range w.owned {
		errs = append(errs, m.Close())
	}
	return errors.Join(errs...)
}
