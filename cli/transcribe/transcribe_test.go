package transcribe

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"parley/audio"
	"parley/cli"
	"parley/internal/testenv"
	"parley/pipeline/asr"
)

// writeWAV writes 16 kHz mono samples to dir/name.
func writeWAV(t *testing.T, dir, name string, samples []float32) string {
	t.Helper()
	var buf bytes.Buffer
	if err := audio.WriteWAV(&buf, samples, audio.SampleRate); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// goForward is pocketsphinx-testdata's goforward.raw ("go forward ten
// meters") as samples.
func goForward(t *testing.T) []float32 {
	return testenv.RawSpeech(t, "goforward.raw")
}

// fliteWAV speaks text with flite's kal16 voice into dir/name.
func fliteWAV(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if out, err := exec.Command(testenv.Command(t, "flite"), "-voice", "kal16", "-t", text, "-o", path).CombinedOutput(); err != nil {
		t.Fatalf("flite: %v: %s", err, out)
	}
	return path
}

// runParley runs `parley transcribe args...` with the built-in defaults
// and a private state folder, and returns what main would: the exit code,
// stdout and stderr.
func runParley(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	var stdout, stderr bytes.Buffer
	code := cli.Exit(Run(cli.WithDefaults(context.Background(), testenv.Defaults(t)), args, &stdout, &stderr), &stderr)
	return code, stdout.String(), stderr.String()
}

func decodeResults(t *testing.T, out string) []map[string]any {
	t.Helper()
	var res []map[string]any
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("stdout is not JSON objects: %v\n%s", err, out)
		}
		res = append(res, m)
	}
	return res
}

func TestTranscribeJSONOnRealSpeech(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		writeWAV(t, dir, "goforward.wav", goForward(t)):                  "go forward ten meters",
		fliteWAV(t, dir, "time.wav", "what time is it"):                  "what time is it",
		fliteWAV(t, dir, "weather.wav", "please tell me about the news"): "please tell me about the news",
	}
	args := []string{"--json"}
	for f := range files {
		args = append(args, f)
	}
	code, stdout, stderr := runParley(t, args...)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	results := decodeResults(t, stdout)
	if len(results) != len(files) {
		t.Fatalf("%d results for %d files:\n%s", len(results), len(files), stdout)
	}
	for _, r := range results {
		checkResult(t, r, files[r["file"].(string)])
	}
}

// checkResult checks one JSON object's fields and its transcript.
func checkResult(t *testing.T, r map[string]any, ref string) {
	t.Helper()
	var keys []string
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if got := strings.Join(keys, ","); got != "device,engine,file,rtf,segments,text" {
		t.Errorf("keys %s", got)
	}
	if r["engine"] != "pocketsphinx" || r["device"] != "cpu" || r["rtf"].(float64) <= 0 {
		t.Errorf("engine/device/rtf: %v", r)
	}
	segs, _ := r["segments"].([]any)
	if len(segs) == 0 {
		t.Fatalf("%s: no segments: %v", r["file"], r)
	}
	for _, s := range segs {
		seg := s.(map[string]any)
		if start, end := seg["start"].(float64), seg["end"].(float64); start < 0 || end <= start {
			t.Errorf("%s: segment %v", r["file"], seg)
		}
	}
	if wer := asr.WER(ref, r["text"].(string)); wer > 0.25 {
		t.Errorf("%s: text %q, want %q (WER %.2f)", r["file"], r["text"], ref, wer)
	}
}

func TestTranscribeReportsBadFilesAndGoesOn(t *testing.T) {
	dir := t.TempDir()
	good := writeWAV(t, dir, "goforward.wav", goForward(t))
	notWAV := filepath.Join(dir, "notes.wav")
	if err := os.WriteFile(notWAV, []byte("these are notes, not audio"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.wav")
	code, stdout, stderr := runParley(t, missing, notWAV, good)
	if code == 0 {
		t.Errorf("exit 0 although two files failed")
	}
	if !strings.Contains(stdout, good+": go forward ten meters") {
		t.Errorf("stdout %q lacks the good file's transcript", stdout)
	}
	for _, want := range []string{missing, notWAV, "2 of 3 files failed"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not name %q:\n%s", want, stderr)
		}
	}
}

func TestTranscribeSplitsUtterancesWithEnergyVAD(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "energy.toml")
	if err := os.WriteFile(cfg, []byte("[vad]\nengine = \"energy\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := audio.ReadWAV(fliteWAV(t, dir, "time.wav", "what time is it"))
	if err != nil {
		t.Fatal(err)
	}
	second, _ := audio.ToMono16k(a)
	samples := append(append(goForward(t), make([]float32, 2*audio.SampleRate)...), second...)
	both := writeWAV(t, dir, "both.wav", samples)
	code, stdout, stderr := runParley(t, both, "--json", "--config", cfg, "--parallel", "2", "--batch", "3")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	r := decodeResults(t, stdout)
	if len(r) != 1 || len(r[0]["segments"].([]any)) < 2 {
		t.Fatalf("want two segments in one result:\n%s", stdout)
	}
	checkResult(t, r[0], "go forward ten meters what time is it")
}

func TestTranscribeFlagErrors(t *testing.T) {
	cases := map[string][]string{
		"no FILE given":           {},
		"want cpu or cuda:N":      {"x.wav", "--device", "gpu"},
		"must be at least 1":      {"x.wav", "--batch", "-1"},
		"flag provided but not d": {"x.wav", "--frobnicate"},
	}
	for want, args := range cases {
		code, _, stderr := runParley(t, args...)
		if code == 0 || !strings.Contains(stderr, want) {
			t.Errorf("parley %v: exit %d, stderr %q; want %q", args, code, stderr, want)
		}
	}
	code, _, stderr := runParley(t, "--help")
	if code != 0 || !strings.Contains(stderr, "pocketsphinx has a single decoder") {
		t.Errorf("--help: exit %d, %q", code, stderr)
	}
	for in, want := range map[string]string{"cpu": "cpu", "cuda:0": "cuda:0", "cuda:12": "cuda:12", "cuda": "cuda:0", "CUDA:1": "cuda:1"} {
		if o, err := parseTranscribeFlags([]string{"x.wav", "--device", in}, &bytes.Buffer{}); err != nil || o.device != want {
			t.Errorf("--device %q: %q, %v; want %q", in, o.device, err, want)
		}
	}
	for _, d := range []string{"cuda:", "cuda:-1", "gpu", "cuda:x"} {
		if _, err := parseTranscribeFlags([]string{"x.wav", "--device", d}, &bytes.Buffer{}); err == nil {
			t.Errorf("--device %q accepted", d)
		}
	}
}

func TestSplitLongKeepsOffsets(t *testing.T) {
	long := make([]float32, 25*16000)
	for i := range long {
		long[i] = 0.3
	}
	for i := 17 * 16000; i < 17*16000+800; i++ {
		long[i] = 0 // the quiet spot near the 20 s limit
	}
	got := splitLong([]utterance{{start: 1000, samples: long}, {start: 900000, samples: long[:16000]}}, 20)
	if len(got) != 3 {
		t.Fatalf("%d pieces, want 3", len(got))
	}
	if got[0].start != 1000 || got[1].start != 1000+int64(len(got[0].samples)) || got[2].start != 900000 {
		t.Errorf("offsets %d %d %d", got[0].start, got[1].start, got[2].start)
	}
	if n := len(got[0].samples); n < 17*16000 || n > 17*16000+800 {
		t.Errorf("cut at %d, want inside the quiet spot", n)
	}
}
