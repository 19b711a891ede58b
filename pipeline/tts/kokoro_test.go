package tts_test

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"parley/gpu"
	"parley/models"
	"parley/pipeline/tts"
)

// kokoroInfo declares inputs and outputs as name:type.
func kokoroInfo(inputs []string, outputs ...string) gpu.ModelInfo {
	var info gpu.ModelInfo
	for _, in := range inputs {
		name, typ, _ := strings.Cut(in, ":")
		info.Inputs = append(info.Inputs, gpu.TensorInfo{Name: name, Type: typ, Shape: []int64{1, -1}})
	}
	for _, out := range outputs {
		name, typ, _ := strings.Cut(out, ":")
		info.Outputs = append(info.Outputs, gpu.TensorInfo{Name: name, Type: typ, Shape: []int64{-1}})
	}
	return info
}

var (
	kokoroV1    = []string{"tokens:int64", "style:float32", "speed:float32"}
	kokoroNewIn = []string{"input_ids:int64", "style:float32", "speed:int32"}
)

func newFakeKokoro(t *testing.T, info gpu.ModelInfo, opts tts.KokoroOptions) (*tts.Kokoro, *fakeRunner) {
	t.Helper()
	r := &fakeRunner{info: info, out: gpu.Tensor{Name: "audio", Shape: []int64{3}, Data: []float32{0.5, -2, 0.25}}}
	opts.Runner = r
	if opts.VoicesPath == "" {
		opts.VoicesPath = kokoroNPZ
	}
	k, err := tts.NewKokoro(context.Background(), opts)
	return started(t, k, err), r
}

// TestKokoroIDs checks token ids against ids worked out by hand from
// kokoro_vocab.json (MODEL_CONTRACTS.md section 5).
func TestKokoroIDs(t *testing.T) {
	us, _ := newFakeKokoro(t, kokoroInfo(kokoroV1, "audio:float32"), tts.KokoroOptions{})
	gb, _ := newFakeKokoro(t, kokoroInfo(kokoroV1, "audio:float32"), tts.KokoroOptions{Voice: "bf_emma"})
	cases := []struct {
		k    *tts.Kokoro
		text string
		want [][]int64
	}{
		// həlˈoʊ, wˈɜːld!  h50 ə83 l54 ˈ156 o57 ʊ135 ,3 ␠16 w65 ˈ156 ɜ87 ː158 l54 d46 !5
		{us, "Hello, world!", [][]int64{{50, 83, 54, 156, 57, 135, 3, 16, 65, 156, 87, 158, 54, 46, 5}}},
		// en-gb for a "b" voice: həlˈəʊ.
		{gb, "Hello.", [][]int64{{50, 83, 54, 156, 83, 135, 4}}},
		// ɪz ɪt ɹˈɛdi?  |  jˈɛs.
		{us, "Is it ready? Yes.", [][]int64{{102, 68, 16, 102, 62, 16, 123, 156, 86, 46, 51, 6}, {52, 156, 86, 61, 4}}},
		{us, " \n ", nil},
	}
	for _, c := range cases {
		got, err := c.k.TokenIDs(context.Background(), c.text)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(got, c.want, slices.Equal) {
			t.Errorf("%s TokenIDs(%q) =\n%v\nwant\n%v", c.k.Name(), c.text, got, c.want)
		}
	}
}

func TestKokoroInputsFake(t *testing.T) {
	k, r := newFakeKokoro(t, kokoroInfo(kokoroV1, "audio:float32"), tts.KokoroOptions{Speed: 1.25})
	a, err := k.Synthesize(context.Background(), "Hi. Bye.")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.inputs) != 2 || a.SampleRate != 24000 || !slices.Equal(a.Samples, []float32{0.5, -1, 0.25, 0.5, -1, 0.25}) {
		t.Fatalf("runs %d, rate %d, samples %v: want 2 sentences of the fake's audio clipped to [-1, 1] at 24 kHz",
			len(r.inputs), a.SampleRate, a.Samples)
	}
	in := r.inputs[0]
	ids := in[0].Data.([]int64)
	l := len(ids) - 2
	if in[0].Name != "tokens" || !slices.Equal(in[0].Shape, []int64{1, int64(len(ids))}) || ids[0] != 0 || ids[l+1] != 0 {
		t.Errorf("tokens = %+v, want [1, L+2] with 0 at both ends", in[0])
	}
	if in[1].Name != "style" || !slices.Equal(in[1].Shape, []int64{1, 256}) || !slices.Equal(in[1].Data.([]float32), wantStyleRow(0, l)) {
		t.Errorf("style is not af_heart's row %d", l)
	}
	if in[2].Name != "speed" || !slices.Equal(in[2].Data.([]float32), []float32{1.25}) || len(in) != 3 {
		t.Errorf("speed input %+v", in[2])
	}
}

func TestKokoroNewerExportFake(t *testing.T) {
	for speed, want := range map[float64]int32{0: 1, 1.6: 2, 0.5: 1} {
		k, r := newFakeKokoro(t, kokoroInfo(kokoroNewIn, "waveform:float32", "duration:int64"), tts.KokoroOptions{Speed: speed})
		r.out.Name = "waveform"
		if _, err := k.Synthesize(context.Background(), "Hi."); err != nil {
			t.Fatal(err)
		}
		in := r.inputs[0]
		if in[0].Name != "input_ids" || in[2].Name != "speed" || !slices.Equal(in[2].Data.([]int32), []int32{want}) {
			t.Errorf("speed %g: inputs %+v, want input_ids and int32 speed %d", speed, in, want)
		}
	}
}

func TestKokoroContractErrors(t *testing.T) {
	cases := []struct {
		name string
		info gpu.ModelInfo
		want []string
	}{
		{"piper's names", kokoroInfo([]string{"input:int64", "input_lengths:int64", "scales:float32"}, "output:float32"),
			[]string{`missing input "tokens"`, `missing input "style"`, `missing input "speed"`, `unexpected input "scales"`, `missing output "audio"`}},
		{"int32 tokens", kokoroInfo([]string{"tokens:int32", "style:float32", "speed:float32"}, "audio:float32"), []string{`input "tokens" is int32, want int64`}},
		{"int64 speed", kokoroInfo([]string{"tokens:int64", "style:float32", "speed:int64"}, "audio:float32"), []string{`input "speed" is int64, want float32 or int32`}},
		{"extra sid", kokoroInfo(append(slices.Clone(kokoroV1), "sid:int64"), "audio:float32"), []string{`unexpected input "sid"`}},
		{"double audio", kokoroInfo(kokoroV1, "audio:int16"), []string{`output "audio" is int16, want float32`}},
		{"style width", gpu.ModelInfo{Inputs: []gpu.TensorInfo{{Name: "tokens", Type: "int64"}, {Name: "style", Type: "float32", Shape: []int64{1, 128}},
			{Name: "speed", Type: "float32"}}, Outputs: []gpu.TensorInfo{{Name: "audio", Type: "float32"}}}, []string{`input "style" is [1 128] wide, want 256`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := tts.NewKokoro(context.Background(), tts.KokoroOptions{VoicesPath: kokoroNPZ, Runner: &fakeRunner{info: c.info}})
			if !errors.Is(err, tts.ErrKokoroContract) {
				t.Fatalf("err = %v, want ErrKokoroContract", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want it to say %q", err, w)
				}
			}
		})
	}
}

func TestKokoroOptionErrors(t *testing.T) {
	ctx := context.Background()
	r := &fakeRunner{info: kokoroInfo(kokoroV1, "audio:float32")}
	if _, err := tts.NewKokoro(ctx, tts.KokoroOptions{VoicesPath: kokoroNPZ}); !errors.Is(err, tts.ErrKokoroContract) {
		t.Errorf("no runner: %v", err)
	}
	for _, speed := range []float64{0.4, 2.5, -1, math.NaN()} {
		_, err := tts.NewKokoro(ctx, tts.KokoroOptions{VoicesPath: kokoroNPZ, Runner: r, Speed: speed})
		if !errors.Is(err, tts.ErrKokoroOption) || !strings.Contains(err.Error(), "tts.kokoro.speed") {
			t.Errorf("speed %g: %v", speed, err)
		}
	}
	_, err := tts.NewKokoro(ctx, tts.KokoroOptions{VoicesPath: kokoroNPZ, Runner: r, Voice: "am_nobody"})
	if !errors.Is(err, tts.ErrUnknownVoice) || !strings.Contains(err.Error(), `tts.kokoro.voice = "am_nobody"`) ||
		!strings.Contains(err.Error(), "af_heart, bf_emma") {
		t.Errorf("unknown voice: %v", err)
	}
	if _, err := tts.NewKokoro(ctx, tts.KokoroOptions{VoicesPath: "testdata/none.bin", Runner: r}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing voices file: %v", err)
	}
	_, err = tts.NewKokoro(ctx, tts.KokoroOptions{VoicesPath: kokoroNPZ, Runner: r, Language: "xx-nope"})
	if !errors.Is(err, tts.ErrUnknownVoice) {
		t.Errorf("unknown espeak language: %v", err)
	}
}

func TestKokoroDropped(t *testing.T) {
	var mu sync.Mutex
	var reports []string
	report := func(msg string) { mu.Lock(); reports = append(reports, msg); mu.Unlock() }
	k, _ := newFakeKokoro(t, kokoroInfo(kokoroV1, "audio:float32"), tts.KokoroOptions{Report: report})
	for range 2 {
		// ðə bˈʌʔn̩: espeak's syllabic mark U+0329 is not in Kokoro's vocab.
		if _, err := k.TokenIDs(context.Background(), "The button."); err != nil {
			t.Fatal(err)
		}
	}
	if got := k.DroppedSymbols(); got["\u0329"] != 2 || len(got) != 1 {
		t.Errorf("DroppedSymbols = %v, want U+0329 twice", got)
	}
	if len(reports) != 1 || !strings.Contains(reports[0], "U+0329") {
		t.Errorf("reports = %q, want one line naming U+0329", reports)
	}
}

func TestKokoroNameDeviceClose(t *testing.T) {
	k, r := newFakeKokoro(t, kokoroInfo(kokoroV1, "audio:float32"), tts.KokoroOptions{})
	if k.Name() != "kokoro/af_heart" || k.Device() != "cpu" {
		t.Errorf("Name, Device = %q, %q", k.Name(), k.Device())
	}
	r.state = &gpu.ModelState{Active: "cuda:0"}
	g, err := tts.NewKokoro(context.Background(), tts.KokoroOptions{VoicesPath: kokoroNPZ, Runner: statefulRunner{r}})
	if err != nil || g.Device() != "cuda:0" {
		t.Errorf("Device = %q, %v; want the runner's cuda:0", g.Device(), err)
	}
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Synthesize(context.Background(), "Hi."); !errors.Is(err, tts.ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	if err := k.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func newORTKokoro(t testing.TB, model *gpu.Model, opts tts.KokoroOptions) *tts.Kokoro {
	t.Helper()
	opts.Runner = model
	k, err := tts.NewKokoro(context.Background(), opts)
	return started(t, k, err)
}

// kokoroRun is what one run of the contract model was fed, read back from
// its audio (scripts/models/export_kokoro_model.py): the tokens, the style
// row and the length of the speech that followed.
type kokoroRun struct {
	tokens []int64
	style  []float32
	speech int
}

func decodeRuns(t *testing.T, s []float32) []kokoroRun {
	t.Helper()
	var runs []kokoroRun
	for i := 0; i < len(s); {
		if len(s)-i < 2 {
			t.Fatalf("%d stray samples at %d", len(s)-i, i)
		}
		n, speech := int(math.Round(float64(s[i])*1024)), int(math.Round(float64(s[i+1])*(1<<20)))
		body := s[i+2:]
		if len(body) < n+styleWidth+speech {
			t.Fatalf("run at %d: header says %d tokens and %d samples, %d left", i, n, speech, len(body))
		}
		run := kokoroRun{style: body[n : n+styleWidth], speech: speech}
		for _, v := range body[:n] {
			run.tokens = append(run.tokens, int64(math.Round(float64(v)*256)))
		}
		runs = append(runs, run)
		i += 2 + n + styleWidth + speech
	}
	return runs
}

// checkRuns checks that each run was fed [0, chunk…, 0], voice k's style
// row len(chunk) and speed (600 samples of speech per token at speed 1).
func checkRuns(t *testing.T, runs []kokoroRun, chunks [][]int64, k int, speed float64) {
	t.Helper()
	if len(runs) != len(chunks) {
		t.Fatalf("%d runs for %d chunks", len(runs), len(chunks))
	}
	for i, run := range runs {
		l := len(chunks[i])
		want := append(append([]int64{0}, chunks[i]...), 0)
		if !slices.Equal(run.tokens, want) {
			t.Errorf("run %d fed %v, want %v", i, run.tokens, want)
		}
		if row := int(run.style[0] * 1024); row != l || !slices.Equal(run.style, wantStyleRow(k, l)) {
			t.Errorf("run %d: style row %d of voice %d, want row %d of voice %d", i, row, int(run.style[1]*8192), l, k)
		}
		if want := int(math.Floor(float64(l+2) * 600 / speed)); run.speech != want {
			t.Errorf("run %d: %d speech samples, want %d (speed %g)", i, run.speech, want, speed)
		}
	}
}

func synthRuns(t *testing.T, k *tts.Kokoro, text string) ([]kokoroRun, [][]int64) {
	t.Helper()
	chunks, err := k.TokenIDs(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	a, err := k.Synthesize(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	if a.SampleRate != 24000 {
		t.Errorf("rate %d", a.SampleRate)
	}
	return decodeRuns(t, a.Samples), chunks
}

// TestKokoroORT runs the contract model through a gpu.Manager CPU session
// and the real ONNX Runtime, and reads back from its audio what it was fed.
func TestKokoroORT(t *testing.T) {
	model := managedModel(t, kokoroModel, 1)
	normal := newORTKokoro(t, model, tts.KokoroOptions{VoicesPath: kokoroNPZ})
	runs, chunks := synthRuns(t, normal, "Hello, world! How are you today?")
	if len(chunks) != 2 || normal.Device() != "cpu" {
		t.Fatalf("chunks %v, device %q", chunks, normal.Device())
	}
	checkRuns(t, runs, chunks, 0, 1)
	fast := newORTKokoro(t, model, tts.KokoroOptions{VoicesPath: kokoroNPZ, Voice: "bf_emma", Speed: 2})
	runs, chunks = synthRuns(t, fast, "Good morning.")
	checkRuns(t, runs, chunks, 1, 2)
}

// TestKokoroORTNewerAndRaw runs the newer export (input_ids, int32 speed,
// waveform) and sherpa-onnx's raw voices, named by the model's metadata.
func TestKokoroORTNewerAndRaw(t *testing.T) {
	newer := newORTKokoro(t, managedModel(t, kokoroNewer, 1), tts.KokoroOptions{VoicesPath: kokoroNPZ, Speed: 1.6})
	runs, chunks := synthRuns(t, newer, "Hello there.")
	checkRuns(t, runs, chunks, 0, 2) // int32 speed: 1.6 rounds to 2
	raw := newORTKokoro(t, managedModel(t, kokoroModel, 1), tts.KokoroOptions{VoicesPath: kokoroRaw, Voice: "bf_emma"})
	runs, chunks = synthRuns(t, raw, "Hello there.")
	checkRuns(t, runs, chunks, 1, 1)
	unnamed := managedModel(t, kokoroNewer, 1)
	_, err := tts.NewKokoro(context.Background(), tts.KokoroOptions{VoicesPath: kokoroRaw, Runner: unnamed})
	if !errors.Is(err, tts.ErrUnknownVoice) || !strings.Contains(err.Error(), "has 0, 1") {
		t.Errorf("raw voices, model without speaker_names, voice af_heart: %v", err)
	}
}

// TestKokoroORTLong checks that sentences longer than 509 tokens are split
// at punctuation, else between words, and that each run gets the style row
// of its own length.
func TestKokoroORTLong(t *testing.T) {
	k := newORTKokoro(t, managedModel(t, kokoroModel, 1), tts.KokoroOptions{VoicesPath: kokoroNPZ})
	for name, text := range map[string]string{
		"commas": strings.Repeat("the quick brown fox jumps over the lazy dog, ", 16) + "and then it sleeps.",
		"words":  strings.Repeat("one more word ", 60) + "end",
	} {
		t.Run(name, func(t *testing.T) {
			runs, chunks := synthRuns(t, k, text)
			if len(chunks) < 2 {
				t.Fatalf("%d chunks for one long sentence", len(chunks))
			}
			for i, c := range chunks {
				if len(c) > tts.KokoroMaxTokens || c[0] == 16 || c[len(c)-1] == 16 {
					t.Errorf("chunk %d: %d ids, starts %d, ends %d", i, len(c), c[0], c[len(c)-1])
				}
				if name == "commas" && i < len(chunks)-1 && c[len(c)-1] != 3 {
					t.Errorf("chunk %d ends with %d, want a comma (3)", i, c[len(c)-1])
				}
			}
			checkRuns(t, runs, chunks, 0, 1)
		})
	}
}

func TestKokoroORTWrongModel(t *testing.T) {
	_, err := tts.NewKokoro(context.Background(), tts.KokoroOptions{VoicesPath: kokoroNPZ, Runner: managedModel(t, smallVoice, 1)})
	if !errors.Is(err, tts.ErrKokoroContract) || !strings.Contains(err.Error(), smallVoice) || !strings.Contains(err.Error(), `missing input "tokens"`) {
		t.Errorf("a Piper model as Kokoro: %v", err)
	}
}

func TestKokoroORTCancelled(t *testing.T) {
	checkCancelled(t, newORTKokoro(t, managedModel(t, kokoroModel, 1), tts.KokoroOptions{VoicesPath: kokoroNPZ}))
}

// BenchmarkKokoroSized measures the real-time factor (compute time / audio
// time) of a Kokoro-82M-sized model on the CPU. Generate it with
//
//	/usr/bin/python3 scripts/models/export_kokoro_model.py --sized
//
// (into $XDG_CACHE_HOME/parley/bench/kokoro-82m-sized; PARLEY_KOKORO_SIZED
// names another folder). PARLEY_KOKORO_THREADS sets ORT's intra-op threads
// (default 0 = ORT's choice). The model speaks 75 ms per token, so
// audio-s/op shows what the RTF is relative to.
func BenchmarkKokoroSized(b *testing.B) {
	dir := os.Getenv("PARLEY_KOKORO_SIZED")
	if dir == "" {
		dir = filepath.Join(models.CacheDir(), "bench", "kokoro-82m-sized")
	}
	path := filepath.Join(dir, "kokoro-sized.onnx")
	if _, err := os.Stat(path); err != nil {
		b.Skipf("no sized model (%v): run scripts/models/export_kokoro_model.py --sized", err)
	}
	threads, _ := strconv.Atoi(os.Getenv("PARLEY_KOKORO_THREADS"))
	benchRTF(b, newORTKokoro(b, managedModel(b, path, threads), tts.KokoroOptions{VoicesPath: filepath.Join(dir, "voices-sized.bin")}))
}
