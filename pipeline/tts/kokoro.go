package tts

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"

	"parley/gpu"
)

const (
	// KokoroSampleRate is the rate of Kokoro's audio in Hz.
	KokoroSampleRate = 24000
	// KokoroDefaultVoice is the voice used when none is named.
	KokoroDefaultVoice = "af_heart"
	// KokoroMaxTokens is the most phoneme tokens (L) one model run takes:
	// a voice has 510 style rows and row L styles L tokens. Longer
	// sentences are split.
	KokoroMaxTokens = kokoroRows - 1
)

// KokoroOptions configures NewKokoro.
type KokoroOptions struct {
	// VoicesPath is voices-v1.0.bin (NumPy .npz) or sherpa-onnx's raw
	// voices.bin, whose voices the model's speaker_names metadata names.
	VoicesPath string
	// Runner runs the Kokoro model. The caller creates it (on the CPU or a
	// GPU) and closes it after the engine.
	Runner gpu.Runner
	// Voice is a voice of the voices file; "" is KokoroDefaultVoice.
	Voice string
	// Speed is the speaking rate, 0.5 (slow) to 2.0 (fast); 0 is 1.0.
	// Exports with an int32 speed input get it rounded to a whole number.
	Speed float64
	// Language is the espeak-ng voice that phonemises text; "" picks it
	// from the voice name's first letter, as Kokoro's own pipeline does: a
	// en-us, b en-gb, e es, f fr-fr, h hi, i it, p pt-br, j ja, z cmn
	// (Kokoro's authors use their own G2P for ja and zh), else en-us.
	Language string
	// Report, when set, gets one line the first time each phoneme that
	// Kokoro's vocab lacks is dropped; DroppedSymbols counts them all. It
	// is called from Synthesize and TokenIDs, possibly concurrently.
	Report func(msg string)
}

// Kokoro is the Kokoro v1.0 engine: espeak-ng phonemes mapped through
// Kokoro's 114-symbol vocab, one model run per sentence (split where it
// exceeds KokoroMaxTokens) with the voice's style row for its length,
// behind a gpu.Runner. It is safe for concurrent use.
type Kokoro struct {
	name     string
	runner   gpu.Runner
	graph    kokoroGraph
	vocab    kokoroVocab
	style    KokoroStyle
	speed    float64
	language string
	report   func(string)
	mu       sync.Mutex
	dropped  map[rune]int
	closed   atomic.Bool
}

// NewKokoro checks the model against Kokoro's contract (choosing the
// export's names by its inputs), reads the voice's style table and starts
// espeak-ng with the voice's language, so that every error shows at load.
func NewKokoro(ctx context.Context, opts KokoroOptions) (*Kokoro, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("start kokoro: %w", err)
	}
	if opts.Runner == nil {
		return nil, fmt.Errorf("start kokoro: %w: no model runner", ErrKokoroContract)
	}
	k := &Kokoro{runner: opts.Runner, report: opts.Report, dropped: map[rune]int{}}
	if err := k.configure(opts); err != nil {
		return nil, fmt.Errorf("start kokoro: %w", err)
	}
	return k, nil
}

// configure checks the model, the speed, the voice and the language.
func (k *Kokoro) configure(opts KokoroOptions) error {
	info := k.runner.Info()
	graph, err := checkKokoroModel(info)
	if err != nil {
		return fmt.Errorf("model %s: %w", runnerPath(k.runner), err)
	}
	k.graph = graph
	if k.speed, err = kokoroSpeed(opts.Speed); err != nil {
		return err
	}
	if k.vocab, err = loadKokoroVocab(); err != nil {
		return err
	}
	voice := valueOr(opts.Voice, KokoroDefaultVoice)
	if err := k.loadVoice(opts.VoicesPath, voice, speakerNames(info.Metadata)); err != nil {
		return err
	}
	k.name = "kokoro/" + voice
	k.language = valueOr(opts.Language, kokoroLanguage(voice))
	return checkESpeakVoice(k.language)
}

// loadVoice reads voice's style table from the voices file.
func (k *Kokoro) loadVoice(path, voice string, rawNames []string) error {
	voices, err := OpenKokoroVoices(path, rawNames)
	if err != nil {
		return err
	}
	if k.style, err = voices.Style(voice); err != nil {
		return fmt.Errorf("tts.kokoro.voice = %q: %w", voice, err)
	}
	return nil
}

// kokoroSpeed checks the speed option; 0 is 1.0.
func kokoroSpeed(speed float64) (float64, error) {
	if speed == 0 {
		return 1, nil
	}
	if !(speed >= 0.5 && speed <= 2) {
		return 0, fmt.Errorf("tts.kokoro.speed = %g, want 0.5 to 2.0: %w", speed, ErrKokoroOption)
	}
	return speed, nil
}

// valueOr returns s, or def when s is empty.
func valueOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// speakerNames is the model's speaker_names metadata (sherpa-onnx's
// exports name the voices of their raw voices.bin this way), or nil.
func speakerNames(meta map[string]string) []string {
	names := strings.TrimSpace(meta["speaker_names"])
	if names == "" {
		return nil
	}
	return strings.Split(names, ",")
}

// kokoroLanguages maps a Kokoro voice's first letter to an espeak-ng voice
// (Kokoro's LANG_CODES; an immutable table).
var kokoroLanguages = map[byte]string{
	'a': "en-us", 'b': "en-gb", 'e': "es", 'f': "fr-fr", 'h': "hi", 'i': "it", 'p': "pt-br", 'j': "ja", 'z': "cmn",
}

// kokoroLanguage is the espeak-ng voice for a Kokoro voice name.
func kokoroLanguage(voice string) string {
	if lang, ok := kokoroLanguages[voice[0]]; ok {
		return lang
	}
	return "en-us"
}

// runnerPath is the model file behind r when r reports it (gpu.Model does).
func runnerPath(r gpu.Runner) string {
	if m, ok := r.(interface{ Spec() gpu.ModelSpec }); ok && m.Spec().Path != "" {
		return m.Spec().Path
	}
	return "(kokoro)"
}

// Name implements Engine: "kokoro/<voice>", e.g. "kokoro/af_heart".
func (k *Kokoro) Name() string { return k.name }

// Device implements Engine: where the runner's session is now.
func (k *Kokoro) Device() string { return gpu.ActiveDevice(k.runner) }

// Synthesize implements Engine. Each chunk of TokenIDs runs through the
// model on its own, as [0, ids…, 0] with the voice's style row len(ids);
// the audio is at KokoroSampleRate, clipped to [-1, 1]. Text with nothing
// to say gives empty audio and no error.
func (k *Kokoro) Synthesize(ctx context.Context, text string) (Audio, error) {
	chunks, err := k.TokenIDs(ctx, text)
	if err != nil {
		return Audio{}, err
	}
	return runChunks(ctx, k.name, KokoroSampleRate, chunks, k.infer, clip)
}

// TokenIDs returns the token ids of text as Synthesize feeds them, without
// the boundary 0s: one chunk per sentence, sentences longer than
// KokoroMaxTokens split at punctuation, else between words.
func (k *Kokoro) TokenIDs(ctx context.Context, text string) ([][]int64, error) {
	if k.closed.Load() {
		return nil, fmt.Errorf("%s: %w", k.name, ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", k.name, err)
	}
	clauses, err := espeakClauses(ctx, k.language, text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", k.name, err)
	}
	var chunks [][]int64
	for _, s := range sentencesOf(spacedClauses(clauses), kokoroPhonemes) {
		ids, dropped := k.vocab.ids(s)
		k.countDropped(dropped)
		chunks = append(chunks, splitKokoroTokens(ids, KokoroMaxTokens)...)
	}
	return chunks, nil
}

// spacedClauses separates clauses that espeak-ng cut without punctuation
// (it cuts long ones) by a space, as phonemizer's whole-text output has
// one between every two words; Piper's ids keep piper-phonemize's layout.
func spacedClauses(clauses []clause) []clause {
	out := append([]clause(nil), clauses...)
	for i := range out {
		if out[i].punct == "" && !out[i].sentenceEnd {
			out[i].punct = " "
		}
	}
	return out
}

// countDropped counts symbols dropped for lack of an id and reports each
// one the first time.
func (k *Kokoro) countDropped(dropped []rune) {
	if len(dropped) == 0 {
		return
	}
	k.mu.Lock()
	var first []rune
	for _, r := range dropped {
		if k.dropped[r] == 0 {
			first = append(first, r)
		}
		k.dropped[r]++
	}
	k.mu.Unlock()
	for _, r := range first {
		if k.report != nil {
			k.report(fmt.Sprintf("%s: dropped phoneme %q (U+%04X): not in Kokoro's vocab", k.name, r, r))
		}
	}
}

// DroppedSymbols returns how often each phoneme outside Kokoro's vocab was
// dropped since the engine started.
func (k *Kokoro) DroppedSymbols() map[string]int {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make(map[string]int, len(k.dropped))
	for r, n := range k.dropped {
		out[string(r)] = n
	}
	return out
}

// infer runs the model on one chunk's ids and returns its samples.
func (k *Kokoro) infer(ctx context.Context, ids []int64) ([]float32, error) {
	tokens := make([]int64, len(ids)+2) // kokoroBoundary at both ends
	copy(tokens[1:], ids)
	inputs := []gpu.Tensor{
		{Name: k.graph.tokens, Shape: []int64{1, int64(len(tokens))}, Data: tokens},
		{Name: kokoroStyleIn, Shape: []int64{1, kokoroStyleWidth}, Data: k.style.Row(len(ids))},
		k.speedTensor(),
	}
	out, err := k.runner.Run(ctx, inputs, []string{k.graph.audio})
	if err != nil {
		return nil, fmt.Errorf("run model: %w", err)
	}
	if len(out) != 1 {
		return nil, fmt.Errorf("%w: %d outputs for %q", ErrKokoroContract, len(out), k.graph.audio)
	}
	return lastAxis(out[0], ErrKokoroContract, "[S]")
}

// speedTensor is the speed input in the type the model declares.
func (k *Kokoro) speedTensor() gpu.Tensor {
	if k.graph.intSpeed {
		return gpu.Tensor{Name: kokoroSpeedIn, Shape: []int64{1}, Data: []int32{int32(max(1, math.Round(k.speed)))}}
	}
	return gpu.Tensor{Name: kokoroSpeedIn, Shape: []int64{1}, Data: []float32{float32(k.speed)}}
}

// clip limits samples to [-1, 1] in place.
func clip(x []float32) []float32 {
	for i, v := range x {
		x[i] = min(1, max(-1, v))
	}
	return x
}

// Close implements Engine. The runner stays open: its creator closes it.
// It is safe to call more than once.
func (k *Kokoro) Close() error {
	k.closed.Store(true)
	return nil
}
