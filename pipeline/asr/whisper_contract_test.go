package asr_test

import (
	"context"
	"path/filepath"
	"testing"

	"parley/gpu"
	"parley/pipeline/asr"
)

// setShape sets the declared shape of one tensor.
func setShape(infos []gpu.TensorInfo, name string, shape ...int64) {
	for i := range infos {
		if infos[i].Name == name {
			infos[i].Shape = shape
		}
	}
}

// setType sets the declared element type of one tensor.
func setType(infos []gpu.TensorInfo, name, typ string) {
	for i := range infos {
		if infos[i].Name == name {
			infos[i].Type = typ
		}
	}
}

func TestWhisperRefusesModelsOffContract(t *testing.T) {
	type edit = func(*gpu.ModelInfo)
	cases := []struct {
		name     string
		dir      string
		enc, dec edit
		fragment []string
	}{
		{"decoder input renamed", whisperEN, nil, func(i *gpu.ModelInfo) { renameTensor(i.Inputs, "offset", "position") },
			[]string{"test.en-decoder.onnx", "offset", "position"}},
		{"int32 tokens", whisperEN, nil, func(i *gpu.ModelInfo) { setType(i.Inputs, "tokens", "int32") },
			[]string{"tokens", "int32", "int64"}},
		{"encoder output missing", whisperEN, func(i *gpu.ModelInfo) { renameTensor(i.Outputs, "n_layer_cross_v", "v") }, nil,
			[]string{"test.en-encoder.onnx", "n_layer_cross_v"}},
		{"64 mels", whisperEN, func(i *gpu.ModelInfo) { i.Metadata["n_mels"] = "64" }, nil,
			[]string{"n_mels", "64", "80 or 128"}},
		{"no sot_sequence", whisperEN, func(i *gpu.ModelInfo) { delete(i.Metadata, "sot_sequence") }, nil,
			[]string{"sot_sequence", "missing"}},
		{"sot_sequence without sot", whisperEN, func(i *gpu.ModelInfo) { i.Metadata["sot_sequence"] = "5" }, nil,
			[]string{"sot_sequence", "sot"}},
		{"eot outside the vocabulary", whisperEN, func(i *gpu.ModelInfo) { i.Metadata["eot"] = "900" }, nil,
			[]string{"eot", "900", "n_vocab"}},
		{"not whisper", whisperEN, func(i *gpu.ModelInfo) { i.Metadata["model_type"] = "paraformer" }, nil,
			[]string{"model_type", "paraformer"}},
		{"languages without codes", whisperML, func(i *gpu.ModelInfo) { delete(i.Metadata, "all_language_codes") }, nil,
			[]string{"all_language_tokens", "all_language_codes"}},
		{"mel bins declared 80 on a 128-mel model", whisperML, func(i *gpu.ModelInfo) { setShape(i.Inputs, "mel", -1, 80, 3000) }, nil,
			[]string{"mel", "128"}},
		{"cache of 224", whisperML, nil, func(i *gpu.ModelInfo) { setShape(i.Inputs, "in_n_layer_self_k_cache", 2, -1, 224, 16) },
			[]string{"test-decoder.onnx", "in_n_layer_self_k_cache", "448"}},
		{"logits of another vocabulary", whisperML, nil, func(i *gpu.ModelInfo) { setShape(i.Outputs, "logits", -1, -1, 51865) },
			[]string{"logits", "51865"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var enc, dec gpu.Runner = whisperGraph(t, tc.dir, true), whisperGraph(t, tc.dir, false)
			if tc.enc != nil {
				enc = editedRunner{enc, tc.enc}
			}
			if tc.dec != nil {
				dec = editedRunner{dec, tc.dec}
			}
			_, err := asr.NewWhisper(context.Background(), asr.WhisperOptions{Dir: tc.dir, Encoder: enc, Decoder: dec})
			wantErr(t, err, asr.ErrContract, tc.fragment...)
		})
	}
}

func TestWhisperRefusesTokensOfAnotherModel(t *testing.T) {
	dir := copyDir(t, whisperEN)
	dropLastLine(t, filepath.Join(dir, "test.en-tokens.txt"))
	_, err := asr.NewWhisper(context.Background(), asr.WhisperOptions{Dir: dir, Loader: newRuntime(t)})
	wantErr(t, err, asr.ErrContract, "test.en-tokens.txt", "15 tokens", "eot = 16")
}

// shapeEditor runs the real model and reshapes one output, to show what
// the engine says about a model whose outputs break the contract at run
// time.
type shapeEditor struct {
	gpu.Runner
	output string
	shape  []int64
}

// Run implements gpu.Runner.
func (s shapeEditor) Run(ctx context.Context, in []gpu.Tensor, names []string) ([]gpu.Tensor, error) {
	out, err := s.Runner.Run(ctx, in, names)
	for i := range out {
		if out[i].Name == s.output {
			out[i].Shape = s.shape
		}
	}
	return out, err
}

func TestWhisperRefusesOutputsOffContract(t *testing.T) {
	cases := []struct {
		name      string
		onEncoder bool
		output    string
		shape     []int64
	}{
		{"cross keys of 3 layers", true, "n_layer_cross_k", []int64{3, 1, 1000, 16}},
		{"logits of 2 rows", false, "logits", []int64{1, 1, 56}},
		{"cache of another size", false, "out_n_layer_self_v_cache", []int64{2, 1, 896, 16}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var enc, dec gpu.Runner = whisperGraph(t, whisperEN, true), whisperGraph(t, whisperEN, false)
			if tc.onEncoder {
				enc = shapeEditor{enc, tc.output, tc.shape}
			} else {
				dec = shapeEditor{dec, tc.output, tc.shape}
			}
			w, err := asr.NewWhisper(context.Background(), asr.WhisperOptions{Dir: whisperEN, Encoder: enc, Decoder: dec})
			if err != nil {
				t.Fatal(err)
			}
			_, err = w.Recognize(context.Background(), [][]float32{whisperTones(0)})
			wantErr(t, err, asr.ErrContract, tc.output)
		})
	}
}
