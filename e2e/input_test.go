package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/internal/testenv"
	"parley/pipeline"
	"parley/pipeline/asr"
)

// TestLibrivoxThroughInput runs the pocketsphinx-testdata librivox clips
// (real read speech) through --input and reports the word error rate.
func TestLibrivoxThroughInput(t *testing.T) {
	testenv.Pulse(t)
	refs := librivoxTranscripts(t)
	var edits, words int
	results := make(chan [2]int, len(refs))
	t.Run("clips", func(t *testing.T) {
		for id, ref := range refs {
			t.Run(id, func(t *testing.T) {
				t.Parallel()
				wav := testenv.TestData(t, filepath.Join("librivox", id+".wav"))
				p := start(t, "--headless", "--fast", "--input", wav, "--output-device", "spk")
				if err := p.wait(t, 120*time.Second); err != nil {
					t.Fatalf("parley --input %s: %v\n%s", id, err, p.stderr.String())
				}
				hyp := strings.Join(p.linesWith("heard: "), " ")
				e, w := asr.WordErrors(ref, hyp)
				t.Logf("%s: WER %.0f %%\n  ref: %s\n  hyp: %s", id, 100*float64(e)/float64(w), ref, hyp)
				if len(p.linesWith("said: ")) != len(p.linesWith("heard: ")) {
					t.Errorf("not every utterance was answered and spoken:\n%s", strings.Join(p.output(), "\n"))
				}
				results <- [2]int{e, w}
			})
		}
	})
	close(results)
	for r := range results {
		edits, words = edits+r[0], words+r[1]
	}
	wer := float64(edits) / float64(max(words, 1))
	t.Logf("librivox WER over %d clips: %.1f %% (%d/%d words)", len(refs), 100*wer, edits, words)
	if words > 0 && wer > 0.6 {
		t.Errorf("librivox WER %.1f %% is far worse than pocketsphinx's measured ~31 %%", 100*wer)
	}
}

// librivoxTranscripts maps clip id to its reference text.
func librivoxTranscripts(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(testenv.TestData(t, "librivox/transcription"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	refs := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		open := strings.LastIndex(line, "(")
		if open < 0 {
			continue
		}
		id := strings.TrimSuffix(strings.TrimSpace(line[open+1:]), ")")
		text := strings.NewReplacer("<s>", "", "</s>", "").Replace(line[:open])
		refs[id] = strings.TrimSpace(text)
	}
	return refs
}

// readLogs returns every event of every conversation log under home.
func readLogs(t *testing.T, home string) []pipeline.Event {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(home, "state", "parley", "*.jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no conversation log under %s (err %v)", home, err)
	}
	var evs []pipeline.Event
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var ev pipeline.Event
			if err := json.Unmarshal([]byte(line), &ev); err != nil {
				t.Fatalf("%s: bad line %q: %v", name, line, err)
			}
			evs = append(evs, ev)
		}
	}
	return evs
}
