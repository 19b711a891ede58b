package tts

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"

	"parley/gpu"
)

var (
	// ErrVoiceConfig indicates a Piper voice JSON file with a missing key or
	// a bad value; the error names the file and the key.
	ErrVoiceConfig = errors.New("invalid piper voice config")
	// ErrModelContract indicates a model whose inputs or outputs do not
	// match Piper's contract; the error names what is missing or wrong.
	ErrModelContract = errors.New("model does not match the piper contract")
	// ErrPhonemize indicates that espeak-ng could not be started.
	ErrPhonemize = errors.New("phonemisation failed")
	// ErrNoVoice indicates a path that holds no single Piper voice
	// (X.onnx next to X.onnx.json).
	ErrNoVoice = errors.New("no piper voice found")
)

// Piper's graph names (MODEL_CONTRACTS.md section 4).
const (
	piperInput   = "input"         // int64 [1, P] phoneme ids
	piperLengths = "input_lengths" // int64 [1] = P
	piperScales  = "scales"        // float32 [3] noise_scale, length_scale, noise_w
	piperSID     = "sid"           // int64 [1], multi-speaker voices only
	piperOutput  = "output"        // float32 [1, 1, 1, S]
)

// PiperOptions configures NewPiper.
type PiperOptions struct {
	// ConfigPath is the voice's .onnx.json file.
	ConfigPath string
	// Runner runs the voice's .onnx model. The caller creates it (on the
	// CPU or a GPU) and closes it after the engine.
	Runner gpu.Runner
	// LengthScale, NoiseScale and NoiseW override the voice's inference
	// settings; 0 keeps the value from the JSON. A larger LengthScale
	// speaks more slowly.
	LengthScale, NoiseScale, NoiseW float64
	// Speaker is a name from the voice's speaker_id_map, or a decimal id;
	// "" is speaker 0. Single-speaker voices ignore it.
	Speaker string
}

// Piper is the Piper VITS engine: espeak-ng phonemes, the voice's id map
// and an ONNX model behind a gpu.Runner. It is safe for concurrent use;
// espeak-ng serialises phonemisation process-wide, model runs do not wait
// for each other here.
type Piper struct {
	name      string
	cfg       VoiceConfig
	runner    gpu.Runner
	scales    []float32
	sid       []int64 // nil when the model has no sid input
	phonemize func(ctx context.Context, text string) ([][]rune, error)
	closed    atomic.Bool
}

// NewPiper loads a voice's JSON, checks the model's inputs and outputs
// against Piper's contract and, for espeak voices, starts espeak-ng and
// selects the voice, so that every error shows at load.
func NewPiper(ctx context.Context, opts PiperOptions) (*Piper, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("start piper: %w", err)
	}
	if opts.Runner == nil {
		return nil, fmt.Errorf("start piper %s: %w: no model runner", opts.ConfigPath, ErrModelContract)
	}
	cfg, err := LoadVoiceConfig(opts.ConfigPath)
	if err != nil {
		return nil, fmt.Errorf("start piper: %w", err)
	}
	p := &Piper{name: "piper/" + voiceName(cfg.Path), cfg: cfg, runner: opts.Runner}
	if err := p.configure(opts); err != nil {
		return nil, fmt.Errorf("start %s: %w", p.name, err)
	}
	return p, nil
}

// configure sets scales, speaker, phonemiser and checks the model.
func (p *Piper) configure(opts PiperOptions) error {
	scales, err := resolveScales(p.cfg, opts)
	if err != nil {
		return err
	}
	p.scales = scales
	hasSID, err := checkPiperModel(p.runner.Info(), p.cfg)
	if err != nil {
		return err
	}
	if hasSID {
		if p.sid, err = speakerInput(p.cfg, opts.Speaker); err != nil {
			return err
		}
	}
	return p.setPhonemizer()
}

// speakerInput is the sid tensor's data: the named speaker of a
// multi-speaker voice, else 0.
func speakerInput(cfg VoiceConfig, speaker string) ([]int64, error) {
	if cfg.NumSpeakers <= 1 {
		return []int64{0}, nil
	}
	id, err := cfg.speakerID(speaker)
	if err != nil {
		return nil, err
	}
	return []int64{id}, nil
}

// setPhonemizer picks espeak-ng or code points, per phoneme_type.
func (p *Piper) setPhonemizer() error {
	if p.cfg.PhonemeType == PhonemeTypeText {
		p.phonemize = func(_ context.Context, text string) ([][]rune, error) { return textPhonemes(text), nil }
		return nil
	}
	voice := p.cfg.ESpeakVoice
	if err := checkESpeakVoice(voice); err != nil {
		return err
	}
	p.phonemize = func(ctx context.Context, text string) ([][]rune, error) {
		clauses, err := espeakClauses(ctx, voice, text)
		if err != nil {
			return nil, err
		}
		return sentencesOf(clauses, clausePhonemes), nil
	}
	return nil
}

// resolveScales returns [noise_scale, length_scale, noise_w], options over JSON.
func resolveScales(cfg VoiceConfig, opts PiperOptions) ([]float32, error) {
	pick := func(key string, opt, def float64) (float32, error) {
		if opt < 0 {
			return 0, fmt.Errorf("tts.piper.%s = %g, want >= 0 (0 = from the voice): %w", key, opt, ErrVoiceConfig)
		}
		if opt == 0 {
			opt = def
		}
		return float32(opt), nil
	}
	noise, err1 := pick("noise_scale", opts.NoiseScale, cfg.NoiseScale)
	length, err2 := pick("length_scale", opts.LengthScale, cfg.LengthScale)
	noiseW, err3 := pick("noise_w", opts.NoiseW, cfg.NoiseW)
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, err
	}
	return []float32{noise, length, noiseW}, nil
}

// checkPiperModel checks the graph's inputs and output against the
// contract and reports whether it takes a sid. A multi-speaker voice
// needs sid; a single-speaker model that has one is fed speaker 0.
func checkPiperModel(info gpu.ModelInfo, cfg VoiceConfig) (hasSID bool, err error) {
	hasSID, problems := inputProblems(info.Inputs, cfg.NumSpeakers > 1)
	problems = append(problems, tensorProblem("output", piperOutput, "float32", typesOf(info.Outputs))...)
	if len(problems) > 0 {
		return false, fmt.Errorf("model for %s: %w: %s", cfg.Path, ErrModelContract, strings.Join(problems, "; "))
	}
	return hasSID, nil
}

// inputProblems lists missing, mistyped and unexpected inputs.
func inputProblems(declared []gpu.TensorInfo, needSID bool) (hasSID bool, problems []string) {
	inputs := typesOf(declared)
	_, hasSID = inputs[piperSID]
	want := map[string]string{piperInput: "int64", piperLengths: "int64", piperScales: "float32"}
	if hasSID || needSID {
		want[piperSID] = "int64"
	}
	for _, name := range sortedKeys(want) {
		problems = append(problems, tensorProblem("input", name, want[name], inputs)...)
	}
	for _, name := range sortedKeys(inputs) {
		if _, ok := want[name]; !ok {
			problems = append(problems, fmt.Sprintf("unexpected input %q", name))
		}
	}
	return hasSID, problems
}

// typesOf maps tensor names to element types.
func typesOf(infos []gpu.TensorInfo) map[string]string {
	types := make(map[string]string, len(infos))
	for _, ti := range infos {
		types[ti.Name] = ti.Type
	}
	return types
}

// tensorProblem describes a missing or mistyped tensor, or returns nil.
func tensorProblem(kind, name, typ string, have map[string]string) []string {
	got, ok := have[name]
	switch {
	case !ok:
		return []string{fmt.Sprintf("missing %s %q (%s; has %s)", kind, name, typ, strings.Join(sortedKeys(have), ", "))}
	case got != typ:
		return []string{fmt.Sprintf("%s %q is %s, want %s", kind, name, got, typ)}
	}
	return nil
}

// Name implements Engine: "piper/<voice>", e.g. "piper/en_US-lessac-medium".
func (p *Piper) Name() string { return p.name }

// Device implements Engine: where the runner's session is now, if the
// runner reports it (gpu.Model does), else "cpu".
func (p *Piper) Device() string { return gpu.ActiveDevice(p.runner) }

// Synthesize implements Engine. Each sentence runs through the model on
// its own and is peak-normalised as Piper does (×1/max(0.01, max|x|),
// clipped to [-1, 1]); the audio is at the voice's sample rate. Text with
// nothing to say gives empty audio and no error.
func (p *Piper) Synthesize(ctx context.Context, text string) (Audio, error) {
	sentences, err := p.PhonemeIDs(ctx, text)
	if err != nil {
		return Audio{}, err
	}
	return runChunks(ctx, p.name, p.cfg.SampleRate, sentences, p.infer, peakNormalize)
}

// runChunks runs infer on each chunk of ids in turn and joins the samples,
// each chunk's passed through post, into audio at rate; errors name engine.
func runChunks(ctx context.Context, engine string, rate int, chunks [][]int64,
	infer func(context.Context, []int64) ([]float32, error), post func([]float32) []float32) (Audio, error) {
	audio := Audio{SampleRate: rate}
	for _, ids := range chunks {
		samples, err := infer(ctx, ids)
		if err != nil {
			return Audio{}, fmt.Errorf("%s: %w", engine, err)
		}
		audio.Samples = append(audio.Samples, post(samples)...)
	}
	return audio, nil
}

// PhonemeIDs returns the model input ids of each sentence of text, as
// Synthesize feeds them to the model ("^ _ p1 _ … pn _ $").
func (p *Piper) PhonemeIDs(ctx context.Context, text string) ([][]int64, error) {
	if p.closed.Load() {
		return nil, fmt.Errorf("%s: %w", p.name, ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", p.name, err)
	}
	sentences, err := p.phonemize(ctx, text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.name, err)
	}
	ids := make([][]int64, 0, len(sentences))
	for _, s := range sentences {
		ids = append(ids, sentenceIDs(s, &p.cfg))
	}
	return ids, nil
}

// infer runs the model on one sentence's ids and returns its samples.
func (p *Piper) infer(ctx context.Context, ids []int64) ([]float32, error) {
	n := int64(len(ids))
	inputs := []gpu.Tensor{
		{Name: piperInput, Shape: []int64{1, n}, Data: ids},
		{Name: piperLengths, Shape: []int64{1}, Data: []int64{n}},
		{Name: piperScales, Shape: []int64{3}, Data: append([]float32(nil), p.scales...)},
	}
	if p.sid != nil {
		inputs = append(inputs, gpu.Tensor{Name: piperSID, Shape: []int64{1}, Data: append([]int64(nil), p.sid...)})
	}
	out, err := p.runner.Run(ctx, inputs, []string{piperOutput})
	if err != nil {
		return nil, fmt.Errorf("run model: %w", err)
	}
	if len(out) != 1 {
		return nil, fmt.Errorf("%w: %d outputs for %q", ErrModelContract, len(out), piperOutput)
	}
	return lastAxis(out[0], ErrModelContract, "[1, 1, 1, S]")
}

// lastAxis returns the samples of an audio output whose axes are all 1
// but the last (Piper's [1, 1, 1, S], whose export's axis names mislead;
// Kokoro's [S]). Errors wrap contract and name the shape wanted.
func lastAxis(t gpu.Tensor, contract error, want string) ([]float32, error) {
	data, err := t.Float32()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", contract, err)
	}
	if len(t.Shape) == 0 || int64(len(data)) != t.Shape[len(t.Shape)-1] {
		return nil, fmt.Errorf("%w: output shape %v, want %s", contract, t.Shape, want)
	}
	return data, nil
}

// peakNormalize scales x in place as Piper does before its int16
// conversion: by 1/max(0.01, max|x|), clipped to [-1, 1].
func peakNormalize(x []float32) []float32 {
	var peak float32
	for _, v := range x {
		peak = max(peak, v, -v)
	}
	scale := 1 / max(0.01, peak)
	for i, v := range x {
		x[i] = min(1, max(-1, v*scale))
	}
	return x
}

// Close implements Engine. The runner stays open: its creator closes it.
// It is safe to call more than once.
func (p *Piper) Close() error {
	p.closed.Store(true)
	return nil
}

// voiceName is the voice's file name without ".onnx.json" or ".json".
func voiceName(configPath string) string {
	base := filepath.Base(configPath)
	base = strings.TrimSuffix(base, ".json")
	return strings.TrimSuffix(base, ".onnx")
}

// FindVoice finds a Piper voice: path is either a model file X.onnx or a
// folder that holds exactly one X.onnx with its X.onnx.json. It returns
// the model and JSON paths; errors wrap ErrNoVoice.
func FindVoice(path string) (onnxPath, jsonPath string, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", "", fmt.Errorf("%w: %w", ErrNoVoice, err)
	}
	if !st.IsDir() {
		if !hasFile(path + ".json") {
			return "", "", fmt.Errorf("%w: %s has no %s next to it", ErrNoVoice, path, filepath.Base(path)+".json")
		}
		return path, path + ".json", nil
	}
	models, err := filepath.Glob(filepath.Join(path, "*.onnx"))
	if err != nil {
		return "", "", fmt.Errorf("%w: %w", ErrNoVoice, err)
	}
	var voices []string
	for _, m := range models {
		if hasFile(m + ".json") {
			voices = append(voices, m)
		}
	}
	return pickVoice(path, voices)
}

// pickVoice returns the only voice found in dir.
func pickVoice(dir string, voices []string) (string, string, error) {
	switch len(voices) {
	case 0:
		return "", "", fmt.Errorf("%w: no X.onnx with X.onnx.json in %s", ErrNoVoice, dir)
	case 1:
		return voices[0], voices[0] + ".json", nil
	}
	sort.Strings(voices)
	names := make([]string, len(voices))
	for i, v := range voices {
		names[i] = filepath.Base(v)
	}
	return "", "", fmt.Errorf("%w: %d voices in %s (%s): name one model file",
		ErrNoVoice, len(voices), dir, strings.Join(names, ", "))
}

func hasFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}
