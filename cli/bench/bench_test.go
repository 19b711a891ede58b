package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"parley/bench"
	"parley/cli"
	"parley/internal/testenv"
)

// benchEnvForTest points ONNX Runtime and the state folder at the test's,
// and returns a context with the built-in defaults.
func benchEnvForTest(t *testing.T) context.Context {
	t.Helper()
	t.Setenv("PARLEY_ORT_LIB", testenv.ORTLibrary(t))
	testenv.SileroModel(t)
	testenv.TestData(t, "librivox/transcription")
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	return cli.WithDefaults(context.Background(), testenv.Defaults(t))
}

// TestBenchCPURun is a real short run: Silero, pocketsphinx and the
// SenseVoice test model on the CPU; the cuda:0 rows must say why they are
// missing, and every CPU row must have numbers.
func TestBenchCPURun(t *testing.T) {
	ctx := benchEnvForTest(t)
	dir := t.TempDir()
	jsonPath, mdPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.md")
	var stdout, stderr bytes.Buffer
	err := Run(ctx, []string{"--models", "vad,asr", "--devices", "cpu,cuda:0",
		"--duration", "5s", "--batch", "1,2", "--parallel", "1", "--json", jsonPath, "--markdown", mdPath,
		"--asr-model", "../../pipeline/asr/testdata/asr/sensevoice"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("bench: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	t.Log("\n" + stdout.String())
	var rep bench.Report
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rep.Rows {
		seen[r.Model+"/"+r.Device] = true
		checkBenchRow(t, r)
	}
	for _, want := range []string{"silero/cpu", "silero/cuda:0", "pocketsphinx/cpu", "pocketsphinx/cuda:0", "sensevoice/cpu"} {
		if !seen[want] {
			t.Errorf("no row for %s", want)
		}
	}
	md, err := os.ReadFile(mdPath)
	if err != nil || !strings.Contains(string(md), "| CPU |") || !strings.Contains(string(md), "| silero (vad) | cpu | 1 | 1 | 3s |") {
		t.Errorf("markdown (%v):\n%s", err, md)
	}
}

// checkBenchRow wants numbers on the CPU and a reason on the GPU (this
// machine has none; on a GPU machine the cuda rows must have numbers too).
func checkBenchRow(t *testing.T, r bench.Row) {
	t.Helper()
	switch {
	case r.Device == "cpu" && (!r.OK() || r.RTF <= 0 || r.Loads[0].Latency.P50 <= 0 || r.PeakRSSMiB <= 0):
		t.Errorf("cpu row without numbers: %+v", r)
	case r.Device == "cuda:0" && r.Missing == "" && !r.OK():
		t.Errorf("cuda row neither measured nor explained: %+v", r)
	case r.Model == "pocketsphinx" && r.Device == "cuda:0" && r.Missing != "pocketsphinx runs on the CPU only":
		t.Errorf("pocketsphinx GPU row: %+v", r)
	}
}

func TestBenchFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--models", "asr,foo"}, `--models "foo"`},
		{[]string{"--devices", "gpu"}, `--devices "gpu"`},
		{[]string{"--batch", "1,0"}, `--batch "0"`},
		{[]string{"--duration", "0s"}, "--duration"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, err := parseBenchFlags(tc.args, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	o, err := parseBenchFlags([]string{"--batch", "1,2,4,8", "--parallel", "1,3", "--soak", "30m"}, &bytes.Buffer{})
	if err != nil || len(o.batches) != 4 || o.parallels[1] != 3 || o.soak.Minutes() != 30 || o.kinds[0] != "asr" {
		t.Errorf("options %+v, %v", o, err)
	}
}

// TestBenchSoakCPU runs the soak mode for a second: no GPU here, so no
// live switches, and memory must stay within the bounds.
func TestBenchSoakCPU(t *testing.T) {
	ctx := benchEnvForTest(t)
	var stdout, stderr bytes.Buffer
	err := Run(ctx, []string{"--models", "vad", "--devices", "cpu,cuda:0",
		"--soak", "1500ms", "--switch-every", "200ms", "--max-growth", "256"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("soak: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	for _, want := range []string{"Soak:", "RSS  start", "Verdict: PASS"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("soak output lacks %q:\n%s", want, stdout.String())
		}
	}
}
