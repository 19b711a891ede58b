package turn

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"parley/gpu"
)

// Smart Turn v3's contract (MODEL_CONTRACTS.md section 9): one float32
// input [N, 80, 800] (the features of the last 8 s), one float32 output
// [N, 1], the probability, already through a sigmoid, that the turn is
// complete.
const (
	smartInput     = "input_features"
	smartOutput    = "logits"
	smartThreshold = 0.5
)

// SmartTurn is the detector that runs the Smart Turn v3 model (an 8 MB
// Whisper-tiny-style classifier over the last 8 s of audio) through a
// gpu.Runner, on the CPU or a GPU. A complete turn is over after
// MinSilence; an incomplete one waits for MaxSilence. It ignores the
// transcript: the model hears intonation and rhythm, not words.
type SmartTurn struct {
	runner gpu.Runner
	mel    *melSpec
	opts   Options
}

// NewSmartTurn checks the runner's model against the contract, runs it once
// (so the first turn does not pay for ONNX Runtime's first run), and
// returns the detector.
func NewSmartTurn(ctx context.Context, runner gpu.Runner, opts Options) (*SmartTurn, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if err := CheckSmartTurn(runner.Info()); err != nil {
		return nil, err
	}
	mel, err := newMelSpec()
	if err != nil {
		return nil, err
	}
	s := &SmartTurn{runner: runner, mel: mel, opts: opts}
	if _, err := s.Probability(ctx, nil); err != nil {
		return nil, fmt.Errorf("smart-turn warm-up run: %w", err)
	}
	return s, nil
}

// CheckSmartTurn reports, naming each, the inputs and outputs of a model
// that do not follow the Smart Turn v3 contract.
func CheckSmartTurn(info gpu.ModelInfo) error {
	var problems []string
	if len(info.Inputs) != 1 {
		problems = append(problems, fmt.Sprintf("%d inputs (want 1)", len(info.Inputs)))
	}
	problems = append(problems, checkTensor("input", info.Inputs, smartInput, []int64{melBins, melFrames})...)
	problems = append(problems, checkTensor("output", info.Outputs, smartOutput, []int64{1})...)
	if len(problems) > 0 {
		return fmt.Errorf("%s: %w", strings.Join(problems, "; "), ErrContract)
	}
	return nil
}

// checkTensor checks that name is a float32 [N, dims...] tensor, where N
// may be dynamic and each declared dim is either dynamic or exact.
func checkTensor(kind string, infos []gpu.TensorInfo, name string, dims []int64) []string {
	i := slices.IndexFunc(infos, func(t gpu.TensorInfo) bool { return t.Name == name })
	if i < 0 {
		return []string{fmt.Sprintf("no %s %q (have %s)", kind, name, tensorNames(infos))}
	}
	t := infos[i]
	parts := []string{"N"}
	for _, d := range dims {
		parts = append(parts, fmt.Sprint(d))
	}
	want := "float32 [" + strings.Join(parts, ", ") + "]"
	if t.Type != "float32" || len(t.Shape) != len(dims)+1 {
		return []string{fmt.Sprintf("%s %q is %s %v, want %s", kind, name, t.Type, t.Shape, want)}
	}
	for j, d := range dims {
		if got := t.Shape[j+1]; got != d && got >= 0 {
			return []string{fmt.Sprintf("%s %q is %s %v, want %s", kind, name, t.Type, t.Shape, want)}
		}
	}
	return nil
}

func tensorNames(infos []gpu.TensorInfo) string {
	names := make([]string, len(infos))
	for i, t := range infos {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

// Name implements Detector.
func (s *SmartTurn) Name() string { return "smart-turn" }

// Once implements Detector: the model's answer does not change as the
// silence grows, and a run costs tens of milliseconds on a CPU.
func (s *SmartTurn) Once() bool { return true }

// Decide implements Detector.
func (s *SmartTurn) Decide(ctx context.Context, in Input) (Decision, error) {
	p, err := s.Probability(ctx, in.Audio)
	if err != nil {
		return Decision{}, err
	}
	if p > smartThreshold {
		return s.opts.wait(s.opts.MinSilence, in.Silence, fmt.Sprintf("smart-turn: complete (p=%.2f)", p)), nil
	}
	return s.opts.notYet(fmt.Sprintf("smart-turn: incomplete (p=%.2f)", p)), nil
}

// Probability returns the model's probability that the turn ending with
// audio (16 kHz; its last 8 s count) is complete.
func (s *SmartTurn) Probability(ctx context.Context, audio []float32) (float32, error) {
	in := gpu.Tensor{Name: smartInput, Shape: []int64{1, melBins, melFrames}, Data: s.mel.features(audio)}
	out, err := s.runner.Run(ctx, []gpu.Tensor{in}, []string{smartOutput})
	if err != nil {
		return 0, fmt.Errorf("smart-turn: %w", err)
	}
	v, err := out[0].Float32()
	if err != nil || len(v) != 1 || math.IsNaN(float64(v[0])) || v[0] < 0 || v[0] > 1 {
		return 0, fmt.Errorf("smart-turn: output %q = %v (shape %v), want one probability: %w", smartOutput, v, out[0].Shape, ErrOutput)
	}
	return v[0], nil
}
