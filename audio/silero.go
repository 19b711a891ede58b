package audio

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"parley/gpu"
)

// Silero VAD v5 contract at 16 kHz (MODEL_CONTRACTS.md section 6).
const (
	sileroContext = 64  // samples of the previous frame prepended to each input
	sileroState   = 128 // state is [2, 1, sileroState]
)

// sileroInputs and sileroOutputs are the names the v5 graph declares.
var (
	sileroInputs  = [...]string{"input", "state", "sr"}
	sileroOutputs = [...]string{"output", "stateN"}
)

// SileroVAD runs Silero VAD v5 through a gpu.Runner, one 512-sample frame at
// a time, feeding back the recurrent state and the last 64 samples of each
// input as the next frame's context. It is safe for concurrent use, though
// interleaving two streams on one SileroVAD mixes their state.
type SileroVAD struct {
	runner gpu.Runner
	mu     sync.Mutex
	ctx    []float32 // last sileroContext samples of the previous input
	state  []float32 // 2*sileroState recurrent state
}

// NewSileroVAD wraps a runner whose model follows the Silero VAD v5 contract;
// it fails naming every input or output the model lacks.
func NewSileroVAD(r gpu.Runner) (*SileroVAD, error) {
	if err := checkSileroInfo(r.Info()); err != nil {
		return nil, err
	}
	v := &SileroVAD{runner: r}
	v.Reset()
	return v, nil
}

func checkSileroInfo(info gpu.ModelInfo) error {
	var missing []string
	for _, n := range sileroInputs {
		if !hasTensor(info.Inputs, n) {
			missing = append(missing, "input "+n)
		}
	}
	for _, n := range sileroOutputs {
		if !hasTensor(info.Outputs, n) {
			missing = append(missing, "output "+n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("silero VAD: model lacks %s: %w", strings.Join(missing, ", "), ErrModelContract)
	}
	return nil
}

func hasTensor(ts []gpu.TensorInfo, name string) bool {
	return slices.ContainsFunc(ts, func(t gpu.TensorInfo) bool { return t.Name == name })
}

// Name implements VAD.
func (v *SileroVAD) Name() string { return "silero" }

// Reset implements VAD: zero context and state.
func (v *SileroVAD) Reset() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.ctx = make([]float32, sileroContext)
	v.state = make([]float32, 2*sileroState)
}

// Prob implements VAD.
func (v *SileroVAD) Prob(ctx context.Context, frame []float32) (float32, error) {
	if len(frame) != FrameSize {
		return 0, fmt.Errorf("silero VAD: frame of %d samples, want %d: %w", len(frame), FrameSize, ErrFrameSize)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	input := append(append(make([]float32, 0, sileroContext+FrameSize), v.ctx...), frame...)
	outs, err := v.runner.Run(ctx, v.inputs(input), sileroOutputs[:])
	if err != nil {
		return 0, fmt.Errorf("silero VAD: %w", err)
	}
	prob, state, err := sileroResults(outs)
	if err != nil {
		return 0, err
	}
	copy(v.ctx, input[len(input)-sileroContext:])
	copy(v.state, state)
	return prob, nil
}

func (v *SileroVAD) inputs(input []float32) []gpu.Tensor {
	return []gpu.Tensor{
		{Name: "input", Shape: []int64{1, sileroContext + FrameSize}, Data: input},
		{Name: "state", Shape: []int64{2, 1, sileroState}, Data: slices.Clone(v.state)},
		{Name: "sr", Shape: []int64{1}, Data: []int64{SampleRate}},
	}
}

func sileroResults(outs []gpu.Tensor) (float32, []float32, error) {
	if len(outs) != len(sileroOutputs) {
		return 0, nil, fmt.Errorf("silero VAD: runner returned %d outputs, want %d: %w", len(outs), len(sileroOutputs), ErrModelContract)
	}
	p, err := outs[0].Float32()
	if err != nil || len(p) != 1 {
		return 0, nil, fmt.Errorf("silero VAD: output %q has %d values (%v): %w", outs[0].Name, len(p), err, ErrModelContract)
	}
	state, err := outs[1].Float32()
	if err != nil || len(state) != 2*sileroState {
		return 0, nil, fmt.Errorf("silero VAD: stateN has %d values (%v), want %d: %w", len(state), err, 2*sileroState, ErrModelContract)
	}
	return p[0], state, nil
}
