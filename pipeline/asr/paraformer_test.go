package asr_test

import (
	"context"
	"path/filepath"
	"testing"

	"parley/gpu"
	"parley/pipeline/asr"
)

// newParaformer loads a test model directory through the runtime.
func newParaformer(t testing.TB, dir string) *asr.Paraformer {
	t.Helper()
	p, err := asr.NewParaformer(context.Background(), asr.ParaformerOptions{ModelOptions: loaderOpts(t, dir)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// TestParaformerTonesWAV runs tones.wav through fbank, LFR, CMVN, ONNX
// Runtime and Paraformer decoding, for the FunASR export (token_num int32,
// tokens.json, am.mvn) and the sherpa repackage (metadata, token_num int64,
// tokens.txt).
func TestParaformerTonesWAV(t *testing.T) {
	samples, _ := readWAV16(t, filepath.Join(testModels, "tones.wav"))
	for dir, variant := range map[string]asr.Variant{"paraformer": asr.VariantFunASR, "paraformer-sherpa": asr.VariantSherpa} {
		t.Run(dir, func(t *testing.T) {
			p := newParaformer(t, filepath.Join(testModels, dir))
			if p.Variant() != variant || p.Name() != "paraformer" || p.Device() != "cpu" {
				t.Errorf("variant %s name %s device %s", p.Variant(), p.Name(), p.Device())
			}
			d := decodeChunks(t, p, samples, 1600)
			if d.text != tonesText {
				t.Errorf("text %q, want %q", d.text, tonesText)
			}
		})
	}
}

// TestParaformerRepeatsAndGlue: repeated tokens survive (each tone onset is
// a token), "@@" glues, CJK joins without spaces.
func TestParaformerRepeatsAndGlue(t *testing.T) {
	p := newParaformer(t, filepath.Join(testModels, "paraformer"))
	seq := []int{0, 0, 6, 7, 1, 2, 4}
	texts, err := p.RecognizeBatch(context.Background(), [][]float32{toneAudio(seq, 5)})
	if err != nil {
		t.Fatal(err)
	}
	if want := "hello hello 世界 world 你"; texts[0] != want {
		t.Errorf("text %q, want %q", texts[0], want)
	}
}

func TestParaformerContractErrors(t *testing.T) {
	dir := filepath.Join(testModels, "paraformer-sherpa")
	cases := []struct {
		name  string
		edit  func(*gpu.ModelInfo)
		frags []string
	}{
		{"wrong input name", func(i *gpu.ModelInfo) { renameTensor(i.Inputs, "speech_lengths", "speech_len") },
			[]string{`unexpected input "speech_len"`, "[speech speech_lengths]"}},
		{"hotword input", func(i *gpu.ModelInfo) {
			i.Inputs = append(i.Inputs, gpu.TensorInfo{Name: "bias_embed", Type: "float32", Shape: []int64{-1, -1, 512}})
		}, []string{`unexpected input "bias_embed"`}},
		{"missing token_num", func(i *gpu.ModelInfo) { renameTensor(i.Outputs, "token_num", "count") },
			[]string{`output "token_num" missing`}},
		{"float lengths", func(i *gpu.ModelInfo) { i.Inputs[1].Type = "float32" },
			[]string{`input "speech_lengths"`, "type float32, want int32 or int64"}},
		{"logits rank", func(i *gpu.ModelInfo) { i.Outputs[0].Shape = []int64{-1, 8404} },
			[]string{`output "logits"`, "want rank 3"}},
		{"missing vocab_size", func(i *gpu.ModelInfo) { delete(i.Metadata, "vocab_size") },
			[]string{`metadata key "vocab_size" missing`}},
		{"bad vocab_size", func(i *gpu.ModelInfo) { i.Metadata["vocab_size"] = "x" },
			[]string{`metadata "vocab_size" = "x", want an integer`}},
		{"missing lfr", func(i *gpu.ModelInfo) { delete(i.Metadata, "lfr_window_size") },
			[]string{`metadata key "lfr_window_size" missing`}},
		{"short cmvn", func(i *gpu.ModelInfo) { i.Metadata["neg_mean"] = "1,2,3"; i.Metadata["inv_stddev"] = "1,2,3" },
			[]string{"model.onnx", "560"}},
	}
	m := newModel(t, dir)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := asr.ParaformerOptions{ModelOptions: asr.ModelOptions{Dir: dir, Runner: editedRunner{m, c.edit}}}
			_, err := asr.NewParaformer(context.Background(), opts)
			wantErr(t, err, asr.ErrContract, c.frags...)
		})
	}
}

func TestParaformerBrokenFiles(t *testing.T) {
	t.Run("tokens.json one short", func(t *testing.T) {
		dir := copyDir(t, filepath.Join(testModels, "paraformer"))
		writeFile(t, filepath.Join(dir, "tokens.json"), `["<blank>", "<s>", "</s>", "<unk>"]`)
		_, err := asr.NewParaformer(context.Background(), asr.ParaformerOptions{ModelOptions: loaderOpts(t, dir)})
		wantErr(t, err, asr.ErrContract, "tokens.json has 4 tokens", `output "logits" has vocabulary dimension 8404`)
	})
	t.Run("no blank", func(t *testing.T) {
		dir := copyDir(t, filepath.Join(testModels, "paraformer-sherpa"))
		b := readFile(t, filepath.Join(dir, "tokens.txt"))
		writeFile(t, filepath.Join(dir, "tokens.txt"), "<pad>"+b[len("<blank>"):])
		_, err := asr.NewParaformer(context.Background(), asr.ParaformerOptions{ModelOptions: loaderOpts(t, dir)})
		wantErr(t, err, asr.ErrContract, `id 0 is "<pad>", want "<blank>"`)
	})
	t.Run("malformed am.mvn", func(t *testing.T) {
		dir := copyDir(t, filepath.Join(testModels, "paraformer"))
		writeFile(t, filepath.Join(dir, "am.mvn"), "<Nnet>\n</Nnet>\n")
		_, err := asr.NewParaformer(context.Background(), asr.ParaformerOptions{ModelOptions: loaderOpts(t, dir)})
		wantErr(t, err, asr.ErrContract, "am.mvn")
	})
	t.Run("funasr without am.mvn", func(t *testing.T) {
		dir := copyDir(t, filepath.Join(testModels, "paraformer"), "am.mvn")
		_, err := asr.NewParaformer(context.Background(), asr.ParaformerOptions{ModelOptions: loaderOpts(t, dir)})
		wantErr(t, err, asr.ErrModelMissing, "no am.mvn")
	})
}
