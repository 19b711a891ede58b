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

// The Whisper contract models built by scripts/models/export_whisper_models.py:
// tone k (whisperToneHz[k]) spells whisperEN[k], or whisperDE[k] when the
// prompt says German and transcribe; tone 7 anywhere makes language
// detection pick German (see whisper_testmodels.py).
var (
	whisperEN = filepath.Join("testdata", "whisper", "en") // English-only, 80 mels
	whisperML = filepath.Join("testdata", "whisper", "ml") // en/de/zh, 128 mels, external weights
)

// whisperToneHz mirrors TONE_HZ in scripts/models/whisper_testmodels.py.
var whisperToneHz = []float64{1000, 1300, 1700, 2200, 2850, 3700, 4800, 6200}

// whisperTones renders tones seq at the Whisper test models' frequencies.
func whisperTones(seq ...int) []float32 { return tonesAt(whisperToneHz, seq, 7) }

// newWhisper loads dir on the CPU through the runtime, closed at cleanup.
func newWhisper(t testing.TB, dir string, edit func(*asr.WhisperOptions)) *asr.Whisper {
	t.Helper()
	opts := asr.WhisperOptions{Dir: dir, Loader: newRuntime(t)}
	if edit != nil {
		edit(&opts)
	}
	w, err := asr.NewWhisper(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// recognize runs one segment through Recognize.
func recognize(t *testing.T, w *asr.Whisper, audio []float32) asr.WhisperResult {
	t.Helper()
	res, err := w.Recognize(context.Background(), [][]float32{audio})
	if err != nil {
		t.Fatal(err)
	}
	return res[0]
}

func TestWhisperTranscribesTones(t *testing.T) {
	cases := []struct {
		name, dir, language, task string
		seq                       []int
		text, lang                string
	}{
		{"english-only", whisperEN, "", "", []int{0, 1, 2}, "hello world parley", "en"},
		{"english-only, en given", whisperEN, "en", "", []int{6, 5, 4, 3, 2, 1, 0}, "! nice is green parley world hello", "en"},
		{"detects English", whisperML, "auto", "", []int{0, 1, 2}, "hello world parley", "en"},
		{"detects German, bytes joined across tokens", whisperML, "", "", []int{7, 3, 4, 5, 6}, "ja grün", "de"},
		{"German given", whisperML, "de", "transcribe", []int{0, 1, 2}, "hallo welt parley", "de"},
		{"English given over German audio", whisperML, "en", "", []int{7, 3, 4, 5, 6}, "yes green is nice!", "en"},
		{"translate", whisperML, "", "translate", []int{7, 3, 4, 5, 6}, "yes green is nice!", "de"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWhisper(t, tc.dir, func(o *asr.WhisperOptions) { o.Language, o.Task = tc.language, tc.task })
			got := recognize(t, w, whisperTones(tc.seq...))
			if got.Text != tc.text || got.Language != tc.lang {
				t.Errorf("got %q (%s), want %q (%s)", got.Text, got.Language, tc.text, tc.lang)
			}
		})
	}
}

func TestWhisperBatchMatchesOneByOne(t *testing.T) {
	w := newWhisper(t, whisperML, nil)
	seqs := [][]int{{7, 3, 4, 5, 6}, {0}, nil, {2, 1, 0, 3}, {7}}
	segs := make([][]float32, len(seqs))
	for i, s := range seqs {
		if s != nil {
			segs[i] = whisperTones(s...)
		}
	}
	batch, err := w.Recognize(context.Background(), segs)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ja grün", "hello", "", "parley world hello green", "ja"}
	for i := range segs {
		one := recognize(t, w, segs[i])
		if batch[i].Text != want[i] || one.Text != want[i] || batch[i].Language != one.Language {
			t.Errorf("segment %d: batch %q (%s), alone %q (%s), want %q", i, batch[i].Text, batch[i].Language, one.Text, one.Language, want[i])
		}
	}
	texts, err := asr.Transcribe(context.Background(), w, segs, asr.BatchOptions{BatchSize: 2, Parallel: 2})
	if err != nil || !slices.Equal(texts, want) {
		t.Errorf("Transcribe = %q, %v; want %q", texts, err, want)
	}
}

func TestWhisperSplitsAudioLongerThan30Seconds(t *testing.T) {
	w := newWhisper(t, whisperEN, nil)
	first := whisperTones(0, 1, 2)
	audio := append(append(first, make([]float32, 31*16000-len(first))...), whisperTones(3)...)
	if got := recognize(t, w, audio).Text; got != "hello world parley green" {
		t.Errorf("32 s of audio: got %q, want both 30 s pieces' text", got)
	}
}

func TestWhisperStream(t *testing.T) {
	ctx := context.Background()
	audio := whisperTones(0, 1, 2)
	for _, partials := range []bool{false, true} {
		w := newWhisper(t, whisperEN, func(o *asr.WhisperOptions) { o.Partials = partials })
		d := decodeChunks(t, w, audio, 8000)
		if d.text != "hello world parley" || d.audio != float64(len(audio))/16000 {
			t.Errorf("partials %v: final %q over %.2f s", partials, d.text, d.audio)
		}
		if (d.partials > 0) != partials {
			t.Errorf("partials %v: %d non-empty partials", partials, d.partials)
		}
		s, err := w.NewStream(ctx)
		if err != nil {
			t.Fatal(err)
		}
		s.Finish(ctx)
		if _, err := s.Partial(ctx); !errors.Is(err, asr.ErrStreamDone) {
			t.Errorf("Partial after Finish: %v", err)
		}
	}
}

func TestWhisperClosed(t *testing.T) {
	w := newWhisper(t, whisperEN, nil)
	if w.Name() != "whisper" || w.Device() != "cpu" || w.Multilingual() {
		t.Errorf("Name %q Device %q Multilingual %v", w.Name(), w.Device(), w.Multilingual())
	}
	w.Close()
	if _, err := w.NewStream(context.Background()); !errors.Is(err, asr.ErrClosed) {
		t.Errorf("NewStream after Close: %v", err)
	}
	if _, err := w.RecognizeBatch(context.Background(), [][]float32{whisperTones(0)}); !errors.Is(err, asr.ErrClosed) {
		t.Errorf("RecognizeBatch after Close: %v", err)
	}
}

func TestFindWhisper(t *testing.T) {
	f, err := asr.FindWhisper(whisperML)
	if err != nil {
		t.Fatal(err)
	}
	if f.Prefix != "test" || f.EncoderWeights == "" || f.DecoderWeights != "" || f.EncoderInt8 != "" {
		t.Errorf("FindWhisper = %+v", f)
	}
	_, err = asr.FindWhisper(filepath.Join(t.TempDir(), "nope"))
	wantErr(t, err, asr.ErrModelMissing, "nope", "parley models pull whisper-")
	_, err = asr.FindWhisper(copyDir(t, whisperEN, "test.en-encoder.onnx"))
	wantErr(t, err, asr.ErrModelMissing, "test.en-encoder.onnx", "test.en-encoder.int8.onnx", "parley models pull whisper-")
	_, err = asr.FindWhisper(copyDir(t, whisperEN, "test.en-tokens.txt"))
	wantErr(t, err, asr.ErrModelMissing, "tokens.txt")
	two := copyDir(t, whisperEN)
	copyFile(t, filepath.Join(whisperML, "test-tokens.txt"), filepath.Join(two, "test-tokens.txt"))
	_, err = asr.FindWhisper(two)
	wantErr(t, err, asr.ErrModelMissing, "more than one model", "test-tokens.txt", "test.en-tokens.txt")
}

func TestWhisperFilesGraphs(t *testing.T) {
	f := asr.WhisperFiles{Encoder: "e.onnx", EncoderInt8: "e.int8.onnx", Decoder: "d.onnx"}
	if e, d := f.Graphs(true); e != "e.int8.onnx" || d != "d.onnx" {
		t.Errorf("Graphs(true) = %s %s", e, d)
	}
	if e, d := f.Graphs(false); e != "e.onnx" || d != "d.onnx" {
		t.Errorf("Graphs(false) = %s %s", e, d)
	}
	if e, _ := (asr.WhisperFiles{EncoderInt8: "only.int8.onnx"}).Graphs(false); e != "only.int8.onnx" {
		t.Errorf("int8-only encoder: Graphs(false) = %s", e)
	}
}

func TestWhisperMissingExternalWeights(t *testing.T) {
	dir := copyDir(t, whisperML, "test-encoder.weights")
	_, err := asr.NewWhisper(context.Background(), asr.WhisperOptions{Dir: dir, Loader: newRuntime(t)})
	wantErr(t, err, nil, "test-encoder.onnx", "test-encoder.weights")
}

func TestWhisperOptionsRefused(t *testing.T) {
	cases := []struct {
		name     string
		dir      string
		edit     func(*asr.WhisperOptions)
		fragment []string
	}{
		{"language on an English-only model", whisperEN, func(o *asr.WhisperOptions) { o.Language = "de" }, []string{"\"de\"", "English-only"}},
		{"translate on an English-only model", whisperEN, func(o *asr.WhisperOptions) { o.Task = "translate" }, []string{"translate", "English-only"}},
		{"unknown language", whisperML, func(o *asr.WhisperOptions) { o.Language = "fr" }, []string{"\"fr\"", "en, de, zh"}},
		{"unknown task", whisperML, func(o *asr.WhisperOptions) { o.Task = "summarise" }, []string{"summarise", "transcribe or translate"}},
		{"one runner only", whisperML, func(o *asr.WhisperOptions) { o.Decoder, o.Loader = whisperGraph(t, whisperML, false), nil }, []string{"Encoder and a Decoder"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := asr.WhisperOptions{Dir: tc.dir, Loader: newRuntime(t)}
			tc.edit(&opts)
			_, err := asr.NewWhisper(context.Background(), opts)
			wantErr(t, err, asr.ErrInit, tc.fragment...)
		})
	}
}

// whisperGraph loads dir's encoder (or decoder) as a managed CPU model
// closed at cleanup.
func whisperGraph(t testing.TB, dir string, encoder bool) *gpu.Model {
	t.Helper()
	files, err := asr.FindWhisper(dir)
	if err != nil {
		t.Fatal(err)
	}
	enc, dec := files.Graphs(false)
	path := map[bool]string{true: enc, false: dec}[encoder]
	m, err := newRuntime(t).NewModel(context.Background(), gpu.ModelSpec{Name: "asr", Path: path, Device: "cpu"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// copyFile copies one file.
func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err == nil {
		err = os.WriteFile(dst, b, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestWhisperTokens(t *testing.T) {
	tok, err := asr.ParseWhisperTokens("t.txt", []byte("IGhp 0\nIHRoZXJl 1\nww== 2\nvA== 3\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.Text([]int{0, 1, 2, 3, 99, -1}); got != "hi there\u00fc" {
		t.Errorf("Text = %q, want %q (ids outside the vocabulary skipped)", got, "hi thereü")
	}
	if got := tok.Text([]int{2, 0}); got != "\uFFFD hi" {
		t.Errorf("half a UTF-8 sequence: Text = %q, want U+FFFD", got)
	}
	for name, data := range map[string]string{
		"not base64":  "IGhp 0\n!!! 1\n",
		"gap in ids":  "IGhp 0\nIGhp 2\n",
		"no id":       "IGhp\n",
		"empty token": "IGhp 0\n 1\n",
	} {
		if _, err := asr.ParseWhisperTokens(name, []byte(data)); !errors.Is(err, asr.ErrTokens) {
			t.Errorf("%s: err = %v, want ErrTokens", name, err)
		}
	}
	if _, err := asr.LoadWhisperTokens(filepath.Join(whisperEN, "test.en-tokens.txt")); err != nil {
		t.Error(err)
	}
}

// tones-en.wav is the committed speech stand-in for end-to-end tests.
func TestWhisperTonesWAV(t *testing.T) {
	samples, rate := readWAV16(t, filepath.Join("testdata", "whisper", "tones-en.wav"))
	if rate != 16000 {
		t.Fatalf("rate %d", rate)
	}
	for _, dir := range []string{whisperEN, whisperML} {
		if got := recognize(t, newWhisper(t, dir, nil), samples).Text; got != "hello world parley" {
			t.Errorf("%s: %q", dir, got)
		}
	}
}
