package asr_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"parley/gpu"
	"parley/pipeline/asr"
)

// newSenseVoice loads a test model directory through the runtime.
func newSenseVoice(t testing.TB, dir string, opts asr.SenseVoiceOptions) *asr.SenseVoice {
	t.Helper()
	opts.ModelOptions = loaderOpts(t, dir)
	s, err := asr.NewSenseVoice(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestSenseVoiceTonesWAV runs tones.wav through fbank, LFR, CMVN, ONNX
// Runtime and greedy CTC, streamed in 100 ms chunks, for both exports.
func TestSenseVoiceTonesWAV(t *testing.T) {
	samples, rate := readWAV16(t, filepath.Join(testModels, "tones.wav"))
	if rate != 16000 {
		t.Fatalf("tones.wav at %d Hz", rate)
	}
	for dir, variant := range map[string]asr.Variant{"sensevoice": asr.VariantSherpa, "sensevoice-funasr": asr.VariantFunASR} {
		t.Run(dir, func(t *testing.T) {
			s := newSenseVoice(t, filepath.Join(testModels, dir), asr.SenseVoiceOptions{})
			if s.Variant() != variant || s.Name() != "sensevoice" || s.Device() != "cpu" {
				t.Errorf("variant %s name %s device %s", s.Variant(), s.Name(), s.Device())
			}
			d := decodeChunks(t, s, samples, 1600)
			if d.text != tonesText {
				t.Errorf("text %q, want %q", d.text, tonesText)
			}
			if d.partials == 0 || d.audio < 2.7 {
				t.Errorf("partials %d, audio %.2f s", d.partials, d.audio)
			}
		})
	}
}

// TestSenseVoicePromptTags checks that language and ITN reach the graph's
// prompt: the test model echoes them as its four tags.
func TestSenseVoicePromptTags(t *testing.T) {
	audio := toneAudio([]int{6, 7}, 3)
	cases := []struct {
		dir, lang string
		itn       bool
		want      []string
	}{
		{"sensevoice", "", false, []string{"<|en|>", "<|NEUTRAL|>", "<|Speech|>", "<|woitn|>"}},
		{"sensevoice", "zh", true, []string{"<|zh|>", "<|NEUTRAL|>", "<|Speech|>", "<|withitn|>"}},
		{"sensevoice-funasr", "ko", false, []string{"<|ko|>", "<|NEUTRAL|>", "<|Speech|>", "<|woitn|>"}},
		{"sensevoice-funasr", "YUE", true, []string{"<|yue|>", "<|NEUTRAL|>", "<|Speech|>", "<|withitn|>"}},
	}
	for _, c := range cases {
		t.Run(c.dir+"/"+c.lang, func(t *testing.T) {
			s := newSenseVoice(t, filepath.Join(testModels, c.dir), asr.SenseVoiceOptions{Language: c.lang, ITN: c.itn})
			texts, tags, err := s.RecognizeTagged(context.Background(), [][]float32{audio})
			if err != nil {
				t.Fatal(err)
			}
			if texts[0] != "世界" || !slices.Equal(tags[0], c.want) {
				t.Errorf("got %q %q, want %q %q", texts[0], tags[0], "世界", c.want)
			}
		})
	}
}

// TestSenseVoiceCallerRunner uses a runner the caller built (as the
// gpu.Manager's "asr" model would be) and leaves it open on Close.
func TestSenseVoiceCallerRunner(t *testing.T) {
	dir := filepath.Join(testModels, "sensevoice")
	m := newModel(t, dir)
	s, err := asr.NewSenseVoice(context.Background(), asr.SenseVoiceOptions{ModelOptions: asr.ModelOptions{Dir: dir, Runner: m}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Device() != m.State().Active {
		t.Errorf("Device %q, runner state %q", s.Device(), m.State().Active)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.NewStream(context.Background()); !errors.Is(err, asr.ErrClosed) {
		t.Errorf("NewStream after Close: %v", err)
	}
	if _, err := m.Run(context.Background(), nil, nil); errors.Is(err, gpu.ErrClosed) {
		t.Errorf("engine closed the caller's runner: %v", err)
	}
}

// TestSenseVoiceShortAudio: too little audio for a frame is "", not an error.
func TestSenseVoiceShortAudio(t *testing.T) {
	s := newSenseVoice(t, filepath.Join(testModels, "sensevoice"), asr.SenseVoiceOptions{})
	texts, err := s.RecognizeBatch(context.Background(), [][]float32{nil, make([]float32, 100), toneAudio([]int{0}, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(texts, []string{"", "", "hello"}) {
		t.Errorf("texts %q", texts)
	}
}

func TestSenseVoiceStreamLifecycle(t *testing.T) {
	s := newSenseVoice(t, filepath.Join(testModels, "sensevoice"), asr.SenseVoiceOptions{})
	ctx := context.Background()
	st, err := s.NewStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := st.Partial(ctx); err != nil || p != "" {
		t.Errorf("empty Partial = %q, %v", p, err)
	}
	if err := st.Accept(ctx, toneAudio([]int{3}, 2)); err != nil {
		t.Fatal(err)
	}
	res, err := st.Finish(ctx)
	if err != nil || res.Text != "parley" {
		t.Errorf("Finish = %+v, %v", res, err)
	}
	if err := st.Accept(ctx, []float32{0}); !errors.Is(err, asr.ErrStreamDone) {
		t.Errorf("Accept after Finish: %v", err)
	}
	if _, err := st.Finish(ctx); !errors.Is(err, asr.ErrStreamDone) {
		t.Errorf("second Finish: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Error(err)
	}
}

// TestSenseVoiceContractErrors loads models that break the contract and
// checks that the error names what is wrong.
func TestSenseVoiceContractErrors(t *testing.T) {
	dir := filepath.Join(testModels, "sensevoice")
	cases := []struct {
		name  string
		edit  func(*gpu.ModelInfo)
		opts  asr.SenseVoiceOptions
		frags []string
	}{
		{"wrong input name", func(i *gpu.ModelInfo) { renameTensor(i.Inputs, "x_length", "lengths") },
			asr.SenseVoiceOptions{}, []string{"model.onnx", `unexpected input "lengths"`, "x_length"}},
		{"unknown export", func(i *gpu.ModelInfo) { renameTensor(i.Inputs, "x", "feats") },
			asr.SenseVoiceOptions{}, []string{"match no known export", "sherpa-onnx [x x_length language text_norm]", "funasr [speech"}},
		{"missing output", func(i *gpu.ModelInfo) { renameTensor(i.Outputs, "logits", "out") },
			asr.SenseVoiceOptions{}, []string{`output "logits" missing`, "[out]"}},
		{"wrong feature type", func(i *gpu.ModelInfo) { i.Inputs[0].Type = "float16" },
			asr.SenseVoiceOptions{}, []string{`input "x"`, "type float16, want float32"}},
		{"wrong feature width", func(i *gpu.ModelInfo) { i.Inputs[0].Shape = []int64{-1, -1, 80} },
			asr.SenseVoiceOptions{}, []string{`input "x"`, "want last dimension 560"}},
		{"missing model_type", func(i *gpu.ModelInfo) { delete(i.Metadata, "model_type") },
			asr.SenseVoiceOptions{}, []string{`metadata key "model_type" missing`}},
		{"wrong model_type", func(i *gpu.ModelInfo) { i.Metadata["model_type"] = "paraformer" },
			asr.SenseVoiceOptions{}, []string{`"model_type" = "paraformer"`}},
		{"missing language key", func(i *gpu.ModelInfo) { delete(i.Metadata, "lang_zh") },
			asr.SenseVoiceOptions{Language: "zh"}, []string{`metadata key "lang_zh" missing`, "auto, en"}},
		{"missing itn key", func(i *gpu.ModelInfo) { delete(i.Metadata, "with_itn") },
			asr.SenseVoiceOptions{ITN: true}, []string{`metadata key "with_itn" missing`}},
		{"wrong lfr", func(i *gpu.ModelInfo) { i.Metadata["lfr_window_size"] = "5" },
			asr.SenseVoiceOptions{}, []string{`"lfr_window_size" = 5, want 7`}},
		{"missing lfr", func(i *gpu.ModelInfo) { delete(i.Metadata, "lfr_window_shift") },
			asr.SenseVoiceOptions{}, []string{`metadata key "lfr_window_shift" missing`}},
		{"half cmvn", func(i *gpu.ModelInfo) { delete(i.Metadata, "inv_stddev") },
			asr.SenseVoiceOptions{}, []string{"only one of neg_mean and inv_stddev"}},
		{"bad vocab_size", func(i *gpu.ModelInfo) { i.Metadata["vocab_size"] = "25000" },
			asr.SenseVoiceOptions{}, []string{"tokens.txt has 25055 tokens", "vocab_size = 25000"}},
		{"logits width", func(i *gpu.ModelInfo) { i.Outputs[0].Shape = []int64{-1, -1, 100} },
			asr.SenseVoiceOptions{}, []string{"tokens.txt has 25055 tokens", `output "logits" has vocabulary dimension 100`}},
	}
	m := newModel(t, dir)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.ModelOptions = asr.ModelOptions{Dir: dir, Runner: editedRunner{m, c.edit}}
			_, err := asr.NewSenseVoice(context.Background(), c.opts)
			wantErr(t, err, asr.ErrContract, c.frags...)
		})
	}
}

// TestSenseVoiceBrokenFiles loads real broken files through ONNX Runtime.
func TestSenseVoiceBrokenFiles(t *testing.T) {
	t.Run("tokens file one short", func(t *testing.T) {
		dir := copyDir(t, filepath.Join(testModels, "sensevoice"))
		dropLastLine(t, filepath.Join(dir, "tokens.txt"))
		_, err := asr.NewSenseVoice(context.Background(), asr.SenseVoiceOptions{ModelOptions: loaderOpts(t, dir)})
		wantErr(t, err, asr.ErrContract, "tokens.txt has 25054 tokens", "vocab_size = 25055")
	})
	t.Run("truncated model", func(t *testing.T) {
		dir := copyDir(t, filepath.Join(testModels, "sensevoice"))
		path := filepath.Join(dir, "model.onnx")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b[:len(b)/2], 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = asr.NewSenseVoice(context.Background(), asr.SenseVoiceOptions{ModelOptions: loaderOpts(t, dir)})
		wantErr(t, err, nil, "sensevoice", path)
	})
	t.Run("funasr without am.mvn", func(t *testing.T) {
		dir := copyDir(t, filepath.Join(testModels, "sensevoice-funasr"), "am.mvn")
		_, err := asr.NewSenseVoice(context.Background(), asr.SenseVoiceOptions{ModelOptions: loaderOpts(t, dir)})
		wantErr(t, err, asr.ErrModelMissing, "neg_mean/inv_stddev missing", "no am.mvn")
	})
	t.Run("funasr unknown language", func(t *testing.T) {
		dir := filepath.Join(testModels, "sensevoice-funasr")
		_, err := asr.NewSenseVoice(context.Background(), asr.SenseVoiceOptions{ModelOptions: loaderOpts(t, dir), Language: "fr"})
		wantErr(t, err, asr.ErrContract, `unknown language "fr"`, "auto, en, ja, ko, nospeech, yue, zh")
	})
	t.Run("no runner", func(t *testing.T) {
		_, err := asr.NewSenseVoice(context.Background(), asr.SenseVoiceOptions{ModelOptions: asr.ModelOptions{Dir: filepath.Join(testModels, "sensevoice")}})
		wantErr(t, err, asr.ErrInit, "Runner or a Loader")
	})
}
