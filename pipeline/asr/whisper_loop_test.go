package asr_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"parley/gpu"
	"parley/pipeline/asr"
)

// decoderEdit wraps the real decoder and changes what the engine feeds it,
// to show that the contract model notices a broken decoding loop.
type decoderEdit struct {
	gpu.Runner
	edit func(in []gpu.Tensor) []gpu.Tensor
}

// Run implements gpu.Runner.
func (d decoderEdit) Run(ctx context.Context, in []gpu.Tensor, out []string) ([]gpu.Tensor, error) {
	return d.Runner.Run(ctx, d.edit(slices.Clone(in)), out)
}

// tensorIndex returns the position of the named tensor.
func tensorIndex(in []gpu.Tensor, name string) int {
	return slices.IndexFunc(in, func(t gpu.Tensor) bool { return t.Name == name })
}

// swapData swaps the data of two named tensors.
func swapData(in []gpu.Tensor, a, b string) []gpu.Tensor {
	i, j := tensorIndex(in, a), tensorIndex(in, b)
	in[i].Data, in[j].Data = in[j].Data, in[i].Data
	return in
}

// withOffset replaces the offset by f(offset).
func withOffset(f func(off int64) int64) func([]gpu.Tensor) []gpu.Tensor {
	return func(in []gpu.Tensor) []gpu.Tensor {
		i := tensorIndex(in, "offset")
		in[i].Data = []int64{f(in[i].Data.([]int64)[0])}
		return in
	}
}

func TestWhisperModelNoticesABrokenLoop(t *testing.T) {
	zeroCaches := func(in []gpu.Tensor) []gpu.Tensor {
		for _, name := range []string{"in_n_layer_self_k_cache", "in_n_layer_self_v_cache"} {
			i := tensorIndex(in, name)
			in[i].Data = make([]float32, len(in[i].Data.([]float32)))
		}
		return in
	}
	sotTwice := func(in []gpu.Tensor) []gpu.Tensor { // [sot, sot] for [sot, no_timestamps]
		i := tensorIndex(in, "tokens")
		if ids := in[i].Data.([]int64); len(ids) > 1 {
			in[i].Data = append([]int64{}, ids[0], ids[0])
		}
		return in
	}
	cases := []struct {
		name string
		edit func([]gpu.Tensor) []gpu.Tensor
		ok   bool
	}{
		{"correct loop", func(in []gpu.Tensor) []gpu.Tensor { return in }, true},
		{"caches not fed back", zeroCaches, false},
		{"offset never advanced", withOffset(func(int64) int64 { return 0 }), false},
		{"offset one too far after the prompt", withOffset(func(off int64) int64 { return off + min(off, 1) }), false},
		{"self caches swapped", func(in []gpu.Tensor) []gpu.Tensor {
			return swapData(in, "in_n_layer_self_k_cache", "in_n_layer_self_v_cache")
		}, false},
		{"cross k and v swapped", func(in []gpu.Tensor) []gpu.Tensor { return swapData(in, "n_layer_cross_k", "n_layer_cross_v") }, false},
		{"prompt without no_timestamps", sotTwice, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, err := asr.NewWhisper(context.Background(), asr.WhisperOptions{Dir: whisperEN,
				Encoder: whisperGraph(t, whisperEN, true), Decoder: decoderEdit{whisperGraph(t, whisperEN, false), tc.edit}})
			if err != nil {
				t.Fatal(err)
			}
			got := recognize(t, w, whisperTones(0, 1, 2)).Text
			t.Logf("decoded %q", got)
			if (got == "hello world parley") != tc.ok {
				t.Errorf("got %q (want the tones' text: %v)", got, tc.ok)
			}
		})
	}
}

// scriptedDecoder answers for the real decoder's contract without running
// it: every logit row picks pick(call, offset, row tokens), the caches are
// passed through, and every call is recorded.
type scriptedDecoder struct {
	gpu.Runner
	pick  func(call int, offset int64, tokens []int64) int
	mu    sync.Mutex
	calls []decoderCall
}

// decoderCall is what one decoder run was fed.
type decoderCall struct {
	offset int64
	tokens [][]int64
}

// Run implements gpu.Runner.
func (d *scriptedDecoder) Run(_ context.Context, in []gpu.Tensor, _ []string) ([]gpu.Tensor, error) {
	tok := in[tensorIndex(in, "tokens")]
	n, per := int(tok.Shape[0]), int(tok.Shape[1])
	c := decoderCall{offset: in[tensorIndex(in, "offset")].Data.([]int64)[0]}
	for i := range n {
		c.tokens = append(c.tokens, tok.Data.([]int64)[i*per:(i+1)*per])
	}
	d.mu.Lock()
	call := len(d.calls)
	d.calls = append(d.calls, c)
	d.mu.Unlock()
	vocab := int(d.Info().Outputs[0].Shape[2])
	logits := make([]float32, n*per*vocab)
	for i := range n {
		for j := range per {
			logits[(i*per+j)*vocab+d.pick(call, c.offset, c.tokens[i])] = 1
		}
	}
	k, v := in[tensorIndex(in, "in_n_layer_self_k_cache")], in[tensorIndex(in, "in_n_layer_self_v_cache")]
	return []gpu.Tensor{{Name: "logits", Shape: []int64{int64(n), int64(per), int64(vocab)}, Data: logits}, k, v}, nil
}

// special reads an integer from the model's metadata.
func special(t testing.TB, r gpu.Runner, key string) int {
	t.Helper()
	v, err := strconv.Atoi(r.Info().Metadata[key])
	if err != nil {
		t.Fatalf("metadata %s: %v", key, err)
	}
	return v
}

// scripted builds an engine on dir's real encoder and a scripted decoder.
func scripted(t *testing.T, dir string, opts asr.WhisperOptions, pick func(int, int64, []int64) int) (*asr.Whisper, *scriptedDecoder, gpu.Runner) {
	t.Helper()
	enc := whisperGraph(t, dir, true)
	dec := &scriptedDecoder{Runner: whisperGraph(t, dir, false), pick: pick}
	opts.Dir, opts.Encoder, opts.Decoder = dir, enc, dec
	w, err := asr.NewWhisper(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return w, dec, enc
}

func TestWhisperTokenLimits(t *testing.T) {
	never := func(int, int64, []int64) int { return 3 } // a text token, never eot
	cases := []struct {
		name    string
		samples int
		tokens  int
	}{
		{"0.1 s: no room for a token", 1600, 0},
		{"1 s: 6 tokens per second", 16000, 6},
		{"2.5 s", 40000, 15},
		{"30 s: 180", 480000, 180},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, dec, enc := scripted(t, whisperEN, asr.WhisperOptions{}, never)
			got := recognize(t, w, make([]float32, tc.samples))
			if len(got.Tokens) != tc.tokens {
				t.Fatalf("%d tokens, want %d", len(got.Tokens), tc.tokens)
			}
			sot, nt := special(t, enc, "sot"), special(t, enc, "no_timestamps")
			checkCalls(t, dec.calls, [][]int64{{int64(sot), int64(nt)}}, 2, max(tc.tokens, 1))
		})
	}
}

// checkCalls checks that the first call fed prompt at offset 0 and that
// the following ones fed one token each at offsets promptLen, +1, ...
// (runs in all).
func checkCalls(t *testing.T, calls []decoderCall, prompt [][]int64, promptLen, runs int) {
	t.Helper()
	if len(calls) != runs {
		t.Fatalf("%d decoder runs, want %d", len(calls), runs)
	}
	if calls[0].offset != 0 || !slices.EqualFunc(calls[0].tokens, prompt, slices.Equal) {
		t.Errorf("first run: offset %d tokens %v, want 0 and the prompt %v", calls[0].offset, calls[0].tokens, prompt)
	}
	for i, c := range calls[1:] {
		if want := int64(promptLen + i); c.offset != want || len(c.tokens[0]) != 1 {
			t.Fatalf("run %d: offset %d with %d tokens, want offset %d and one token", i+1, c.offset, len(c.tokens[0]), want)
		}
	}
}

func TestWhisperPrompts(t *testing.T) {
	cases := []struct {
		name, language, task string
		detect               bool
		prompt               []string // metadata keys, "lang_xx" for a language token
	}{
		{"auto detects, then transcribes", "", "", true, []string{"sot", "lang_zh", "transcribe", "no_timestamps"}},
		{"German, translate", "de", "translate", false, []string{"sot", "lang_de", "translate", "no_timestamps"}},
		{"English", "en", "transcribe", false, []string{"sot", "lang_en", "transcribe", "no_timestamps"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var eot, zh int
			pick := func(call int, _ int64, _ []int64) int {
				if call == 0 && tc.detect {
					return zh // detection: zh scores highest
				}
				return eot
			}
			w, dec, enc := scripted(t, whisperML, asr.WhisperOptions{Language: tc.language, Task: tc.task}, pick)
			eot, zh = special(t, enc, "eot"), languageToken(t, enc, "zh")
			got, err := w.Recognize(context.Background(), [][]float32{whisperTones(0), whisperTones(1)})
			if err != nil {
				t.Fatal(err)
			}
			calls := dec.calls
			if tc.detect {
				sot := int64(special(t, enc, "sot"))
				if calls[0].offset != 0 || !slices.EqualFunc(calls[0].tokens, [][]int64{{sot}, {sot}}, slices.Equal) {
					t.Errorf("detection run: offset %d tokens %v, want [sot] per item", calls[0].offset, calls[0].tokens)
				}
				calls = calls[1:]
			}
			want := make([]int64, len(tc.prompt))
			for i, key := range tc.prompt {
				if l, ok := strings.CutPrefix(key, "lang_"); ok {
					want[i] = int64(languageToken(t, enc, l))
				} else {
					want[i] = int64(special(t, enc, key))
				}
			}
			checkCalls(t, calls, [][]int64{want, want}, 4, 1)
			if got[0].Text != "" || got[0].Language != strings.TrimPrefix(tc.prompt[1], "lang_") {
				t.Errorf("result %+v", got[0])
			}
		})
	}
}

// languageToken finds a language's token in the model's metadata.
func languageToken(t testing.TB, enc gpu.Runner, code string) int {
	t.Helper()
	md := enc.Info().Metadata
	codes, toks := strings.Split(md["all_language_codes"], ","), strings.Split(md["all_language_tokens"], ",")
	i := slices.Index(codes, code)
	if i < 0 {
		t.Fatalf("no language %s in %v", code, codes)
	}
	id, _ := strconv.Atoi(toks[i])
	return id
}

func TestWhisperBatchStaysInStep(t *testing.T) {
	var eot int
	w, dec, enc := scripted(t, whisperEN, asr.WhisperOptions{}, func(int, int64, []int64) int { return 3 })
	eot = special(t, enc, "eot")
	res, err := w.Recognize(context.Background(), [][]float32{make([]float32, 16000), make([]float32, 32000)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res[0].Tokens) != 6 || len(res[1].Tokens) != 12 {
		t.Fatalf("tokens %d and %d, want the limits 6 and 12", len(res[0].Tokens), len(res[1].Tokens))
	}
	checkCalls(t, dec.calls, dec.calls[0].tokens, 2, 12)
	for i, c := range dec.calls[6:] {
		if c.tokens[0][0] != int64(eot) || c.tokens[1][0] != 3 {
			t.Errorf("run %d: fed %v, want eot for the finished item", i+6, c.tokens)
		}
	}
}

func TestWhisperStopsAtEOT(t *testing.T) {
	var eot int
	w, dec, enc := scripted(t, whisperEN, asr.WhisperOptions{}, func(call int, _ int64, _ []int64) int {
		if call == 3 {
			return eot
		}
		return 5
	})
	eot = special(t, enc, "eot")
	got := recognize(t, w, make([]float32, 5*16000))
	if len(got.Tokens) != 3 || len(dec.calls) != 4 {
		t.Errorf("%d tokens after %d runs, want 3 tokens and eot from the 4th run", len(got.Tokens), len(dec.calls))
	}
}
