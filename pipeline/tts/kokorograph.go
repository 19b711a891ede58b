package tts

import (
	"errors"
	"fmt"
	"strings"

	"parley/gpu"
)

var (
	// ErrKokoroContract indicates a model whose inputs or outputs do not
	// match Kokoro's contract; the error names what is missing or wrong.
	ErrKokoroContract = errors.New("model does not match the kokoro contract")
	// ErrKokoroOption indicates a Kokoro option out of range; the error
	// names the config key.
	ErrKokoroOption = errors.New("invalid kokoro option")
)

// Kokoro's graph names (MODEL_CONTRACTS.md section 5). kokoro-v1.0.onnx
// takes tokens and a float32 speed and returns audio; newer exports take
// input_ids and (in kokoro-onnx's code) an int32 speed and return waveform
// and duration.
const (
	kokoroTokens   = "tokens"    // int64 [1, L+2]
	kokoroInputIDs = "input_ids" // int64 [1, L+2], newer exports
	kokoroStyleIn  = "style"     // float32 [1, 256]
	kokoroSpeedIn  = "speed"     // float32 or int32 [1]
	kokoroAudio    = "audio"     // float32 [S]
	kokoroWaveform = "waveform"  // float32 [S], newer exports
)

// kokoroGraph is what checkKokoroModel found: which names to feed and read.
type kokoroGraph struct {
	tokens   string // kokoroTokens or kokoroInputIDs
	audio    string // kokoroAudio or kokoroWaveform
	intSpeed bool   // speed is int32
}

// checkKokoroModel picks the export's names by its inputs and checks every
// input and the audio output against the contract; all problems are listed.
func checkKokoroModel(info gpu.ModelInfo) (kokoroGraph, error) {
	in, out := typesOf(info.Inputs), typesOf(info.Outputs)
	g := kokoroGraph{tokens: kokoroTokens, audio: kokoroAudio}
	if _, ok := in[kokoroInputIDs]; ok {
		g.tokens = kokoroInputIDs
	}
	if _, ok := out[kokoroAudio]; !ok {
		if _, ok := out[kokoroWaveform]; ok {
			g.audio = kokoroWaveform
		}
	}
	g.intSpeed = in[kokoroSpeedIn] == "int32"
	problems := inputProblemsKokoro(info.Inputs, g.tokens)
	problems = append(problems, tensorProblem("output", g.audio, "float32", out)...)
	if len(problems) > 0 {
		return kokoroGraph{}, fmt.Errorf("%w: %s", ErrKokoroContract, strings.Join(problems, "; "))
	}
	return g, nil
}

// inputProblemsKokoro lists missing, mistyped, misshaped and unexpected inputs.
func inputProblemsKokoro(declared []gpu.TensorInfo, tokens string) []string {
	in := typesOf(declared)
	problems := tensorProblem("input", tokens, "int64", in)
	problems = append(problems, tensorProblem("input", kokoroStyleIn, "float32", in)...)
	if typ, ok := in[kokoroSpeedIn]; !ok {
		problems = append(problems, tensorProblem("input", kokoroSpeedIn, "float32", in)...)
	} else if typ != "float32" && typ != "int32" {
		problems = append(problems, fmt.Sprintf("input %q is %s, want float32 or int32", kokoroSpeedIn, typ))
	}
	for _, ti := range declared {
		switch ti.Name {
		case tokens, kokoroSpeedIn:
		case kokoroStyleIn:
			if n := len(ti.Shape); n > 0 && ti.Shape[n-1] > 0 && ti.Shape[n-1] != kokoroStyleWidth {
				problems = append(problems, fmt.Sprintf("input %q is %v wide, want %d", ti.Name, ti.Shape, kokoroStyleWidth))
			}
		default:
			problems = append(problems, fmt.Sprintf("unexpected input %q", ti.Name))
		}
	}
	return problems
}
