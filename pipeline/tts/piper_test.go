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
	"time"

	"parley/gpu"
	"parley/internal/testenv"
	"parley/pipeline/tts"
)

const (
	smallVoice = "testdata/piper/en_US-test-small.onnx"
	twoSpeaker = "testdata/piper-2spk/en_US-test-2spk.onnx"
)

// fakeRunner declares Piper's graph (or another one) and answers every
// run with a fixed output, recording the inputs it got.
type fakeRunner struct {
	info   gpu.ModelInfo
	out    gpu.Tensor
	mu     sync.Mutex
	inputs [][]gpu.Tensor
	state  *gpu.ModelState
}

func (f *fakeRunner) Info() gpu.ModelInfo { return f.info }

func (f *fakeRunner) Run(ctx context.Context, inputs []gpu.Tensor, _ []string) ([]gpu.Tensor, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inputs = append(f.inputs, inputs)
	return []gpu.Tensor{f.out}, nil
}

// statefulRunner also reports where it runs, like gpu.Model.
type statefulRunner struct{ *fakeRunner }

func (s statefulRunner) State() gpu.ModelState { return *s.state }

// graph declares inputs name:type and one float32 output "output".
func graph(inputs ...string) gpu.ModelInfo {
	info := gpu.ModelInfo{Outputs: []gpu.TensorInfo{{Name: "output", Type: "float32", Shape: []int64{1, 1, -1, -1}}}}
	for _, in := range inputs {
		name, typ, _ := strings.Cut(in, ":")
		info.Inputs = append(info.Inputs, gpu.TensorInfo{Name: name, Type: typ})
	}
	return info
}

func piperGraph() gpu.ModelInfo {
	return graph("input:int64", "input_lengths:int64", "scales:float32")
}

func newFakePiper(t *testing.T, opts tts.PiperOptions) (*tts.Piper, *fakeRunner) {
	t.Helper()
	r := &fakeRunner{info: piperGraph(), out: gpu.Tensor{Name: "output", Shape: []int64{1, 1, 1, 4}, Data: []float32{0.1, -0.2, 0.05, 0}}}
	if opts.Runner == nil {
		opts.Runner = r
	}
	if opts.ConfigPath == "" {
		opts.ConfigPath = smallVoice + ".json"
	}
	p, err := tts.NewPiper(context.Background(), opts)
	return started(t, p, err), r
}

// TestPiperIDs checks the ids of whole sentences against ids worked out by
// hand from testdata/piper/en_US-test-small.onnx.json (_ 0, ^ 1, $ 2).
func TestPiperIDs(t *testing.T) {
	p, _ := newFakePiper(t, tts.PiperOptions{})
	cases := []struct {
		text string
		want [][]int64
	}{
		// həlˈoʊ, wˈɜːld!  h20 ə59 l24 ˈ120 o27 ʊ100 ,8 ␠3 w35 ˈ120 ɜ62 ː122 l24 d17 !4
		{"Hello, world!", [][]int64{{1, 0, 20, 0, 59, 0, 24, 0, 120, 0, 27, 0, 100, 0, 8, 0, 3, 0,
			35, 0, 120, 0, 62, 0, 122, 0, 24, 0, 17, 0, 4, 0, 2}}},
		// ɪz ɪt ɹˈɛdi?  ɪ74 z38 ␠3 ɪ74 t32 ␠3 ɹ88 ˈ120 ɛ61 d17 i21 ?13
		{"Is it ready?", [][]int64{{1, 0, 74, 0, 38, 0, 3, 0, 74, 0, 32, 0, 3, 0, 88, 0, 120, 0, 61, 0,
			17, 0, 21, 0, 13, 0, 2}}},
		// ðə bˈʌʔn̩.  ð41 ə59 ␠3 b15 ˈ120 ʌ102 ʔ109 n26 (U+0329 syllabic: not in the map, skipped) .10
		{"The button.", [][]int64{{1, 0, 41, 0, 59, 0, 3, 0, 15, 0, 120, 0, 102, 0, 109, 0, 26, 0, 10, 0, 2}}},
		// wˈeɪt: wˈʌn; tˈuː, θɹˈiː.  |  dˈʌn
		{"Wait: one; two, three. Done", [][]int64{
			{1, 0, 35, 0, 120, 0, 18, 0, 74, 0, 32, 0, 11, 0, 3, 0, 35, 0, 120, 0, 102, 0, 26, 0, 12, 0, 3, 0,
				32, 0, 120, 0, 33, 0, 122, 0, 8, 0, 3, 0, 126, 0, 88, 0, 120, 0, 21, 0, 122, 0, 10, 0, 2},
			{1, 0, 17, 0, 120, 0, 102, 0, 26, 0, 2},
		}},
		// kæfˈeɪ: NFD turns é into e + U+0301, but espeak already wrote plain e.
		{"Café", [][]int64{{1, 0, 23, 0, 39, 0, 19, 0, 120, 0, 18, 0, 74, 0, 2}}},
		{" \n ", [][]int64{}},
	}
	for _, c := range cases {
		got, err := p.PhonemeIDs(context.Background(), c.text)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(got, c.want, slices.Equal) {
			t.Errorf("PhonemeIDs(%q) =\n%v\nwant\n%v", c.text, got, c.want)
		}
	}
}

func TestPiperInputsFake(t *testing.T) {
	p, r := newFakePiper(t, tts.PiperOptions{LengthScale: 1.5})
	a, err := p.Synthesize(context.Background(), "Hi. Bye.")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.inputs) != 2 || len(a.Samples) != 8 || a.SampleRate != 22050 {
		t.Fatalf("runs %d, samples %d, rate %d; want 2 sentences of 4 samples at 22050 Hz", len(r.inputs), len(a.Samples), a.SampleRate)
	}
	in := r.inputs[0]
	ids := in[0].Data.([]int64)
	if in[0].Name != "input" || !slices.Equal(in[0].Shape, []int64{1, int64(len(ids))}) ||
		in[1].Name != "input_lengths" || in[1].Data.([]int64)[0] != int64(len(ids)) ||
		in[2].Name != "scales" || !slices.Equal(in[2].Data.([]float32), []float32{0.667, 1.5, 0.8}) || len(in) != 3 {
		t.Errorf("inputs = %+v", in)
	}
	// Peak-normalised like Piper: 0.1 -0.2 0.05 0 scaled by 1/0.2.
	if want := []float32{0.5, -1, 0.25, 0}; !closeTo(a.Samples[:4], want) {
		t.Errorf("samples = %v, want %v", a.Samples[:4], want)
	}
}

func closeTo(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Abs(float64(x-y)) < 1e-6 })
}

func TestPiperSpeakerInputFake(t *testing.T) {
	r := &fakeRunner{info: graph("input:int64", "input_lengths:int64", "scales:float32", "sid:int64"),
		out: gpu.Tensor{Name: "output", Shape: []int64{1, 1, 1, 1}, Data: []float32{0.5}}}
	for speaker, want := range map[string]int64{"": 0, "alice": 0, "bob": 1, "1": 1} {
		p, _ := newFakePiper(t, tts.PiperOptions{ConfigPath: twoSpeaker + ".json", Runner: r, Speaker: speaker})
		if _, err := p.Synthesize(context.Background(), "Hi."); err != nil {
			t.Fatal(err)
		}
		in := r.inputs[len(r.inputs)-1]
		if len(in) != 4 || in[3].Name != "sid" || in[3].Data.([]int64)[0] != want {
			t.Errorf("speaker %q: inputs %+v, want sid %d", speaker, in, want)
		}
	}
}

func TestPiperQuietOutputNotBoosted(t *testing.T) {
	p, r := newFakePiper(t, tts.PiperOptions{})
	r.out = gpu.Tensor{Name: "output", Shape: []int64{1, 1, 1, 2}, Data: []float32{0.001, -0.004}}
	a, err := p.Synthesize(context.Background(), "Hi.")
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{0.1, -0.4}; !closeTo(a.Samples, want) {
		t.Errorf("samples = %v, want %v (gain capped at 1/0.01)", a.Samples, want)
	}
}

func TestPiperContractErrors(t *testing.T) {
	cases := []struct {
		name   string
		info   gpu.ModelInfo
		json   string
		expect string
	}{
		{"wrong input name", graph("text:int64", "input_lengths:int64", "scales:float32"), "", `missing input "input"`},
		{"wrong type", graph("input:int32", "input_lengths:int64", "scales:float32"), "", `input "input" is int32, want int64`},
		{"missing scales", graph("input:int64", "input_lengths:int64"), "", `missing input "scales"`},
		{"extra input", graph("input:int64", "input_lengths:int64", "scales:float32", "style:float32"), "", `unexpected input "style"`},
		{"multi-speaker voice, no sid", piperGraph(), twoSpeaker + ".json", `missing input "sid"`},
		{"no output", gpu.ModelInfo{Inputs: piperGraph().Inputs}, "", `missing output "output"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := tts.NewPiper(context.Background(), tts.PiperOptions{
				ConfigPath: orDefault(c.json, smallVoice+".json"), Runner: &fakeRunner{info: c.info}})
			if !errors.Is(err, tts.ErrModelContract) || !strings.Contains(err.Error(), c.expect) {
				t.Errorf("err = %v, want ErrModelContract with %q", err, c.expect)
			}
		})
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func TestPiperBadOutput(t *testing.T) {
	p, r := newFakePiper(t, tts.PiperOptions{})
	r.out = gpu.Tensor{Name: "output", Shape: []int64{1, 2, 1, 2}, Data: []float32{0, 0, 0, 0}}
	if _, err := p.Synthesize(context.Background(), "Hi."); !errors.Is(err, tts.ErrModelContract) {
		t.Errorf("[1,2,1,2] output: %v, want ErrModelContract", err)
	}
}

func TestPiperOptionErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := tts.NewPiper(ctx, tts.PiperOptions{ConfigPath: smallVoice + ".json"}); !errors.Is(err, tts.ErrModelContract) {
		t.Errorf("no runner: %v", err)
	}
	r := &fakeRunner{info: piperGraph()}
	if _, err := tts.NewPiper(ctx, tts.PiperOptions{ConfigPath: "testdata/none.json", Runner: r}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing JSON: %v", err)
	}
	_, err := tts.NewPiper(ctx, tts.PiperOptions{ConfigPath: smallVoice + ".json", Runner: r, NoiseW: -1})
	if !errors.Is(err, tts.ErrVoiceConfig) || !strings.Contains(err.Error(), "tts.piper.noise_w") {
		t.Errorf("negative noise_w: %v", err)
	}
	r2 := &fakeRunner{info: graph("input:int64", "input_lengths:int64", "scales:float32", "sid:int64")}
	_, err = tts.NewPiper(ctx, tts.PiperOptions{ConfigPath: twoSpeaker + ".json", Runner: r2, Speaker: "carol"})
	if !errors.Is(err, tts.ErrUnknownVoice) || !strings.Contains(err.Error(), "tts.piper.speaker") {
		t.Errorf("unknown speaker: %v", err)
	}
}

func TestPiperNameDeviceClose(t *testing.T) {
	p, r := newFakePiper(t, tts.PiperOptions{})
	if p.Name() != "piper/en_US-test-small" || p.Device() != "cpu" {
		t.Errorf("Name, Device = %q, %q", p.Name(), p.Device())
	}
	r.state = &gpu.ModelState{Active: "cuda:0"}
	g, _ := newFakePiper(t, tts.PiperOptions{Runner: statefulRunner{r}})
	if g.Device() != "cuda:0" {
		t.Errorf("Device = %q, want the runner's cuda:0", g.Device())
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Synthesize(context.Background(), "Hi."); !errors.Is(err, tts.ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestVoiceFind(t *testing.T) {
	onnx, js, err := tts.FindVoice("testdata/piper")
	if err != nil || onnx != smallVoice || js != smallVoice+".json" {
		t.Errorf("FindVoice(dir) = %q, %q, %v", onnx, js, err)
	}
	if onnx, js, err = tts.FindVoice(twoSpeaker); err != nil || js != twoSpeaker+".json" {
		t.Errorf("FindVoice(file) = %q, %q, %v", onnx, js, err)
	}
	dir := t.TempDir()
	if _, _, err := tts.FindVoice(dir); !errors.Is(err, tts.ErrNoVoice) || !strings.Contains(err.Error(), dir) {
		t.Errorf("empty dir: %v", err)
	}
	for _, name := range []string{"a.onnx", "a.onnx.json", "b.onnx", "b.onnx.json", "c.onnx"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := tts.FindVoice(dir); !errors.Is(err, tts.ErrNoVoice) || !strings.Contains(err.Error(), "a.onnx, b.onnx") {
		t.Errorf("two voices: %v", err)
	}
	if _, _, err := tts.FindVoice(filepath.Join(dir, "c.onnx")); !errors.Is(err, tts.ErrNoVoice) {
		t.Errorf("model without JSON: %v", err)
	}
}

// managedModel loads an .onnx file on the CPU through a gpu.Manager and the
// real ONNX Runtime, as parley's session does.
func managedModel(t testing.TB, path string, threads int) *gpu.Model {
	t.Helper()
	ctx := context.Background()
	rt, err := gpu.NewRuntime(ctx, gpu.RuntimeOptions{LibraryPath: testenv.ORTLibrary(t), IntraOpThreads: threads, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := gpu.NewManager(ctx, gpu.ManagerDeps{Runtime: rt}, gpu.Options{}, []gpu.ModelSpec{{Name: "tts", Path: path, Device: "cpu"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mgr.Close() })
	m, err := mgr.Model("tts")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// started fails t on err and closes e when t ends.
func started[E tts.Engine](t testing.TB, e E, err error) E {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func newORTPiper(t testing.TB, model *gpu.Model, opts tts.PiperOptions) *tts.Piper {
	t.Helper()
	opts.Runner = model
	p, err := tts.NewPiper(context.Background(), opts)
	return started(t, p, err)
}

// TestPiperORT runs the small model through the real ONNX Runtime. Its
// durations are 3-5 frames of 256 samples per id at length_scale 1
// (scripts/models/export_piper_model.py), so audio length follows the ids
// and grows with length_scale.
func TestPiperORT(t *testing.T) {
	model := managedModel(t, smallVoice, 1)
	const text = "Hello, world! How are you today?"
	normal := newORTPiper(t, model, tts.PiperOptions{ConfigPath: smallVoice + ".json"})
	slow := newORTPiper(t, model, tts.PiperOptions{ConfigPath: smallVoice + ".json", LengthScale: 2})
	ids, err := normal.PhonemeIDs(context.Background(), text)
	if err != nil || len(ids) != 2 {
		t.Fatalf("ids: %v, %v", ids, err)
	}
	n := len(ids[0]) + len(ids[1])
	a := synth(t, normal, text)
	if a.SampleRate != 22050 || normal.Device() != "cpu" {
		t.Errorf("rate %d, device %q", a.SampleRate, normal.Device())
	}
	if frames := len(a.Samples) / 256; len(a.Samples)%256 != 0 || frames < 3*n || frames > 5*n {
		t.Errorf("%d samples for %d ids: want 3-5 frames of 256 per id", len(a.Samples), n)
	}
	b := synth(t, slow, text)
	if r := float64(len(b.Samples)) / float64(len(a.Samples)); r < 1.7 || r > 2.3 {
		t.Errorf("length_scale 2 gives %.2f× the samples, want about 2×", r)
	}
	t.Logf("%d ids -> %.2f s; length_scale 2 -> %.2f s", n, a.Seconds(), b.Seconds())
}

func synth(t *testing.T, p *tts.Piper, text string) tts.Audio {
	t.Helper()
	a, err := p.Synthesize(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	var peak float32
	for _, s := range a.Samples {
		peak = max(peak, s, -s)
	}
	if peak < 0.99 || peak > 1 {
		t.Errorf("peak %.3f, want normalised to 1", peak)
	}
	return a
}

func TestPiperORTSpeakers(t *testing.T) {
	model := managedModel(t, twoSpeaker, 1)
	alice := newORTPiper(t, model, tts.PiperOptions{ConfigPath: twoSpeaker + ".json", Speaker: "alice"})
	bob := newORTPiper(t, model, tts.PiperOptions{ConfigPath: twoSpeaker + ".json", Speaker: "bob", NoiseScale: 1e-9})
	a, b := synth(t, alice, "Hello."), synth(t, bob, "Hello.")
	if len(a.Samples) == 0 || len(b.Samples) == 0 {
		t.Fatal("no audio")
	}
	if _, err := tts.NewPiper(context.Background(), tts.PiperOptions{ConfigPath: smallVoice + ".json", Runner: model, Speaker: "bob"}); err != nil {
		t.Errorf("single-speaker JSON on a sid model feeds speaker 0, ignoring Speaker: %v", err)
	}
}

func TestPiperORTCancelled(t *testing.T) {
	checkCancelled(t, newORTPiper(t, managedModel(t, smallVoice, 1), tts.PiperOptions{ConfigPath: smallVoice + ".json"}))
}

// checkCancelled checks that a synthesis under an expired context stops
// with the context's error.
func checkCancelled(t *testing.T, e tts.Engine) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	if _, err := e.Synthesize(ctx, "Hello."); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want DeadlineExceeded", err)
	}
}

// BenchmarkPiperSized measures the real-time factor (compute time / audio
// time) of a Piper-medium-sized model on the CPU. Generate it with
//
//	/usr/bin/python3 scripts/models/export_piper_model.py --sized /tmp/piper-medium.onnx
//
// and run with PARLEY_PIPER_SIZED=/tmp/piper-medium.onnx (PARLEY_PIPER_THREADS
// sets ORT's intra-op threads; default 0 = ORT's choice).
func BenchmarkPiperSized(b *testing.B) {
	path := os.Getenv("PARLEY_PIPER_SIZED")
	if path == "" {
		b.Skip("PARLEY_PIPER_SIZED not set")
	}
	threads, _ := strconv.Atoi(os.Getenv("PARLEY_PIPER_THREADS"))
	benchRTF(b, newORTPiper(b, managedModel(b, path, threads), tts.PiperOptions{ConfigPath: path + ".json"}))
}

// benchRTF synthesises two sentences with e, once to warm up and then b.N
// times, and reports the real-time factor and the audio seconds per run.
func benchRTF(b *testing.B, e tts.Engine) {
	const text = "The weather today is mild, with a light breeze from the west. Expect sunshine in the afternoon."
	ctx := context.Background()
	if _, err := e.Synthesize(ctx, text); err != nil { // warm-up
		b.Fatal(err)
	}
	var audio, compute time.Duration
	for b.Loop() {
		start := time.Now()
		a, err := e.Synthesize(ctx, text)
		if err != nil {
			b.Fatal(err)
		}
		compute += time.Since(start)
		audio += time.Duration(a.Seconds() * float64(time.Second))
	}
	b.ReportMetric(compute.Seconds()/audio.Seconds(), "RTF")
	b.ReportMetric(audio.Seconds()/float64(b.N), "audio-s/op")
}
