package e2e

import (
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley/internal/stats"
	"parley/internal/testenv"
	"parley/pipeline"
	"parley/pipeline/asr"
)

// e2eSentences, spoken by flite's kal16 voice, are sentences pocketsphinx
// transcribes exactly when fed straight from the WAV file, so a word error
// here comes from the live path (capture, VAD, segmentation), which is what
// this test checks.
// The engine's own accuracy on real speech is TestLibrivoxThroughInput's.
var e2eSentences = []string{
	"what time is it",
	"what is the date",
	"what can you do",
	"hello there",
	"turn on the lights",
	"the weather is nice today",
	"thank you very much",
}

// TestConversationThroughVirtualDevices speaks into the virtual microphone,
// lets parley answer on the virtual speaker, and checks what it heard, what
// it logged and what it played.
func TestConversationThroughVirtualDevices(t *testing.T) {
	testenv.Pulse(t)
	testenv.Command(t, "flite")
	testenv.Command(t, "paplay")
	dir := t.TempDir()
	rec := record(t)
	p := start(t, "--headless", "--input-device", "virtmic", "--output-device", "spk")
	p.waitFor(t, 30*time.Second, "info: listening")

	var refs, hyps []string
	for i, s := range e2eSentences {
		speakIntoMic(t, flite(t, "kal16", dir, "s"+strconv.Itoa(i), s))
		p.waitFor(t, 30*time.Second, "said:", "info: nothing recognised", "error:")
		refs = append(refs, s)
	}
	p.interrupt(t)
	samples := rec.stop(t)

	heard := p.linesWith("heard: ")
	hyps = heard
	if len(heard) != len(e2eSentences) {
		t.Errorf("heard %d utterances, want %d (each segmented once): %q", len(heard), len(e2eSentences), heard)
	}
	edits, words := 0, 0
	for i := range min(len(refs), len(hyps)) {
		e, w := asr.WordErrors(refs[i], hyps[i])
		edits, words = edits+e, words+w
		if e > 0 {
			t.Logf("said %q, heard %q", refs[i], hyps[i])
		}
	}
	wer := float64(edits) / float64(max(words, 1))
	t.Logf("WER over %d flite sentences: %.1f %%", len(refs), 100*wer)
	if wer > 0.10 {
		t.Errorf("WER %.1f %% > 10 %%: heard %q", 100*wer, hyps)
	}
	checkAnswersLogged(t, p)
	checkSpokenAudio(t, p, samples)
	reportLatency(t, p)
}

// checkAnswersLogged finds every answer in the JSONL conversation log.
func checkAnswersLogged(t *testing.T, p *proc) {
	t.Helper()
	logs := readLogs(t, p.home)
	answers := p.linesWith("answer: ")
	if len(answers) == 0 {
		t.Fatal("no answer lines")
	}
	for _, a := range answers {
		found := false
		for _, ev := range logs {
			if ev.Kind == pipeline.KindAnswer && ev.Text == a && ev.Turn > 0 {
				found = true
			}
		}
		if !found {
			t.Errorf("answer %q is not in the conversation log", a)
		}
	}
}

// checkSpokenAudio compares the voiced time on the speaker with what flite
// needs to say the answers.
func checkSpokenAudio(t *testing.T, p *proc, samples []float64) {
	t.Helper()
	said := p.linesWith("said: ")
	var want float64
	dir := t.TempDir()
	for i, s := range said {
		want += wavSeconds(t, flite(t, "slt", dir, "a"+strconv.Itoa(i), s))
	}
	got := voicedSeconds(samples)
	t.Logf("speaker monitor: %.1f s voiced; flite needs %.1f s for the %d answers", got, want, len(said))
	if len(said) == 0 || got < 0.5*want || got > 1.5*want {
		t.Errorf("voiced audio %.1f s is implausible for answers needing %.1f s", got, want)
	}
}

var voiceToVoice = regexp.MustCompile(`voice_to_voice=(\d+)ms`)

// reportLatency logs end of speech to first audio, as the issue asks.
func reportLatency(t *testing.T, p *proc) {
	t.Helper()
	var v []float64
	for _, m := range p.linesWith("metrics: ") {
		if g := voiceToVoice.FindStringSubmatch(m); g != nil {
			f, _ := strconv.ParseFloat(g[1], 64)
			v = append(v, f)
		}
	}
	t.Logf("end of speech -> first audio out: p50 %.0f ms over %d turns (%v)", stats.Quantile(v, 0.5), len(v), v)
}

func wavSeconds(t *testing.T, path string) float64 {
	t.Helper()
	out, err := exec.Command("soxi", "-D", path).Output()
	if err != nil {
		t.Fatalf("soxi %s: %v", path, err)
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
