package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley/internal/stats"
	"parley/internal/testenv"
	"parley/pipeline/turn"
)

// turnConfig is the [turn] table the tests run with: the text detector,
// unless PARLEY_TURN_DETECTOR names another ("smart-turn", with
// PARLEY_SMART_TURN_MODEL naming its file), or "none" to run without a
// [turn] table (to measure a build that predates it);
// PARLEY_TURN_SPECULATE_AFTER sets turn.speculate_after.
func turnConfig() string {
	d := os.Getenv("PARLEY_TURN_DETECTOR")
	switch d {
	case "none":
		return ""
	case "":
		d = "text"
	}
	cfg := "[turn]\ndetector = \"" + d + "\"\n"
	if s := os.Getenv("PARLEY_TURN_SPECULATE_AFTER"); s != "" {
		cfg += "speculate_after = \"" + s + "\"\n"
	}
	if m := os.Getenv("PARLEY_SMART_TURN_MODEL"); m != "" {
		cfg += "model = \"" + m + "\"\n"
	}
	return cfg
}

// TestPauseSetHeardOnceEach speaks the pause set (testdata/pauseset.txt:
// a pause of 0.5-0.9 s after a function word) into the virtual microphone.
// Each item must be heard as one utterance that holds both parts and be
// answered once; the speaker must stay silent until the user is done (a
// speculative answer never plays early); every request the language model
// saw must hold a clean history (no speculative user message left in it).
func TestPauseSetHeardOnceEach(t *testing.T) {
	testenv.Pulse(t)
	testenv.Command(t, "flite")
	items, dir := pauseSet(t), t.TempDir()
	srv := newLateReplies(t, time.Second)
	cfg := "[llm]\nengine = \"openai\"\nbase_url = \"" + srv.srv.URL() + "\"\nmodel = \"test-model\"\n" + turnConfig()
	mic, spk := recordTrack(t, "mic_feed.monitor"), recordTrack(t, "spk.monitor")
	p := start(t, "--headless", "--config", writeConfig(t, cfg), "--input-device", "virtmic", "--output-device", "spk")
	p.waitFor(t, 30*time.Second, "info: listening")
	spans := make([][2]time.Time, len(items))
	for i, item := range items {
		wav := pauseWAV(t, dir, i, item)
		spans[i][0] = time.Now()
		speakIntoMic(t, wav)
		spans[i][1] = time.Now()
		p.waitFor(t, 60*time.Second, "said:", "error:")
	}
	time.Sleep(time.Second)
	p.interrupt(t)
	mic.stop()
	spk.stop()
	cutoffs := checkHeardOnce(t, p, items)
	checkSilentWhileSpeaking(t, mic, spk, spans)
	asked, cancelled := srv.requests()
	checkCleanHistory(t, asked, cancelled, len(items))
	t.Logf("pause set (%s): %d items, %d false cut-offs, %d speculative requests cancelled (%.2f per turn)",
		detectorName(), len(items), cutoffs, cancelled, float64(cancelled)/float64(len(items)))
	if cancelled == 0 && turnConfig() != "" {
		t.Errorf("no speculative request was cancelled, though every item resumes after a pause longer than turn.speculate_after")
	}
}

func detectorName() string {
	if d := os.Getenv("PARLEY_TURN_DETECTOR"); d != "" {
		return d
	}
	return "text"
}

// checkHeardOnce wants one heard line and one answer per item. An item
// whose heard line has no more words than its first part and no word of
// its second part was cut off at its pause. A cut-off after a transcript
// that ends on a function word is the detector's fault and fails the test;
// one where the recogniser misheard that word ("play the next song and"
// heard as "... so man") is counted and logged: the text detector can only
// read what it is given. It returns the cut-offs.
func checkHeardOnce(t *testing.T, p *proc, items []pauseItem) int {
	t.Helper()
	heard, answers := p.linesWith("heard: "), p.linesWith("answer: ")
	if len(heard) != len(items) || len(answers) != len(items) {
		t.Errorf("%d items heard as %d utterances and answered %d times:\n%s", len(items), len(heard), len(answers), strings.Join(heard, "\n"))
	}
	cut := 0
	for i, item := range items[:min(len(items), len(heard))] {
		h := heard[i]
		if len(strings.Fields(h)) > len(strings.Fields(item.first)) || sharesWord(h, item.second) {
			continue
		}
		cut++
		if why, open := turn.OpenEnding(h); open {
			t.Errorf("item %d %q cut off at its pause though the transcript %s", i, item.first+" ... "+item.second, why)
		} else {
			t.Logf("item %d %q cut off at its pause: the recogniser heard %q", i, item.first+" ... "+item.second, h)
		}
	}
	return cut + max(0, len(heard)-len(items))
}

// sharesWord reports whether heard holds a word of three letters or more of
// part.
func sharesWord(heard, part string) bool {
	for _, w := range strings.Fields(part) {
		if len(w) >= 3 && strings.Contains(" "+heard+" ", " "+w+" ") {
			return true
		}
	}
	return false
}

// checkSilentWhileSpeaking wants the speaker silent from the start of each
// item until the user's speech in it has ended.
func checkSilentWhileSpeaking(t *testing.T, mic, spk *track, spans [][2]time.Time) {
	t.Helper()
	for i, s := range spans {
		end, ok := mic.lastLoud(s[0], s[1].Add(300*time.Millisecond))
		if !ok {
			t.Errorf("item %d: no speech found on the microphone track", i)
			continue
		}
		if at, early := spk.firstLoud(s[0], end.Add(-20*time.Millisecond)); early {
			t.Errorf("item %d: the speaker played at %s, %.0f ms before the user was done", i, at.Format("15:04:05.000"), end.Sub(at).Seconds()*1000)
		}
	}
}

// checkCleanHistory wants every request to alternate user and assistant
// messages (a dropped speculative answer leaves no user message behind),
// and one request answered per item.
func checkCleanHistory(t *testing.T, asked [][]chatMessage, cancelled, items int) {
	t.Helper()
	for i, msgs := range asked {
		var roles []string
		for _, m := range msgs {
			if m.Role != "system" {
				roles = append(roles, m.Role)
			}
		}
		if strings.Contains(strings.Join(roles, " "), "user user") {
			t.Errorf("request %d carries two user messages in a row: %v", i, msgs)
		}
	}
	if answered := len(asked) - cancelled; answered < items {
		t.Errorf("%d requests answered for %d items", answered, items)
	}
}

// latencySentences ask the offline responder for its short answers (time,
// date, thanks), so that a turn is over in a few seconds.
var latencySentences = []string{
	"what time is it", "what is the date", "thank you very much", "tell me the time",
	"what day is it today", "thanks a lot", "what is the time now", "what date is it",
}

var (
	metricV2V      = regexp.MustCompile(`voice_to_voice=(\d+)ms`)
	metricDevice   = regexp.MustCompile(`device_latency=(\d+)ms`)
	metricDecision = regexp.MustCompile(`turn_decision=(\d+)ms`)
	metricSpec     = regexp.MustCompile(`speculative=(\d+)/(\d+)/(\d+)`)
)

// TestTurnLatency measures end of speech to first audio with the offline
// responder, pocketsphinx and flite: as parley logs it (voice_to_voice: the
// VAD's end of speech to the first non-silent sample handed to the device)
// and as heard (the last loud 10 ms of the virtual microphone to the first
// loud 10 ms of the virtual speaker, both recorded). PARLEY_TURN_TURNS sets
// the number of turns (default 8). It asserts that every turn is heard and
// answered; the figures go to the test log (docs/benchmarks.md).
func TestTurnLatency(t *testing.T) {
	testenv.Pulse(t)
	testenv.Command(t, "flite")
	turns, _ := strconv.Atoi(os.Getenv("PARLEY_TURN_TURNS"))
	if turns <= 0 {
		turns = len(latencySentences)
	}
	dir := t.TempDir()
	cfg := "[llm]\nengine = \"offline\"\n" + turnConfig()
	mic, spk := recordTrack(t, "mic_feed.monitor"), recordTrack(t, "spk.monitor")
	p := start(t, "--headless", "--config", writeConfig(t, cfg), "--input-device", "virtmic", "--output-device", "spk")
	p.waitFor(t, 30*time.Second, "info: listening")
	spans := make([][2]time.Time, turns)
	for i := range turns {
		wav := flite(t, "kal16", dir, "l"+strconv.Itoa(i), latencySentences[i%len(latencySentences)])
		spans[i][0] = time.Now()
		speakIntoMic(t, wav)
		spans[i][1] = time.Now()
		p.waitFor(t, 60*time.Second, "said:", "error:", "info: nothing recognised")
	}
	time.Sleep(time.Second)
	p.interrupt(t)
	mic.stop()
	spk.stop()
	if said := p.linesWith("said: "); len(said) != turns {
		t.Errorf("%d turns, %d answers spoken", turns, len(said))
	}
	heard := heardLatencies(t, mic, spk, spans)
	reportTurnFigures(t, p, heard)
}

// heardLatencies returns, per turn, the time from the user's last loud
// block on the microphone track to the first loud block on the speaker.
func heardLatencies(t *testing.T, mic, spk *track, spans [][2]time.Time) []float64 {
	t.Helper()
	var out []float64
	for i, s := range spans {
		end, ok := mic.lastLoud(s[0], s[1].Add(300*time.Millisecond))
		next := time.Now()
		if i+1 < len(spans) {
			next = spans[i+1][0]
		}
		onset, found := spk.firstLoud(end, next)
		if !ok || !found {
			t.Errorf("turn %d: speech end found %v, reply onset found %v", i, ok, found)
			continue
		}
		out = append(out, onset.Sub(end).Seconds()*1000)
	}
	return out
}

// reportTurnFigures logs the logged and heard latencies and the turn
// metrics, p50 and p95.
func reportTurnFigures(t *testing.T, p *proc, heard []float64) {
	t.Helper()
	var logged, device, decision []float64
	var started, used, cancelled int
	for _, m := range p.linesWith("metrics: ") {
		logged = append(logged, matchMS(metricV2V, m)...)
		device = append(device, matchMS(metricDevice, m)...)
		decision = append(decision, matchMS(metricDecision, m)...)
		if g := metricSpec.FindStringSubmatch(m); g != nil {
			s, _ := strconv.Atoi(g[1])
			u, _ := strconv.Atoi(g[2])
			c, _ := strconv.Atoi(g[3])
			started, used, cancelled = started+s, used+u, cancelled+c
		}
	}
	q := func(v []float64, f float64) float64 { return stats.Quantile(v, f) }
	t.Logf("detector %s, %d turns", detectorName(), len(logged))
	t.Logf("end of speech -> first audio, logged: p50 %.0f ms, p95 %.0f ms %v", q(logged, 0.5), q(logged, 0.95), logged)
	t.Logf("end of speech -> first audio, heard:  p50 %.0f ms, p95 %.0f ms %v", q(heard, 0.5), q(heard, 0.95), heard)
	t.Logf("device latency p50 %.0f ms; turn decision p50 %.0f ms, p95 %.0f ms", q(device, 0.5), q(decision, 0.5), q(decision, 0.95))
	t.Logf("speculative answers: %d started, %d used, %d cancelled (%.2f cancelled per turn)",
		started, used, cancelled, float64(cancelled)/float64(max(1, len(logged))))
	if len(logged) == 0 || len(heard) == 0 {
		t.Errorf("no latency measured: %d logged, %d heard", len(logged), len(heard))
	}
}

func matchMS(re *regexp.Regexp, line string) []float64 {
	g := re.FindStringSubmatch(line)
	if g == nil {
		return nil
	}
	f, _ := strconv.ParseFloat(g[1], 64)
	return []float64{f}
}

// TestDoctorNamesTheTurnDetector runs doctor with Smart Turn models of
// scripts/models/smart_turn_models.py: one with the contract loads, one
// reading 128 mel bins is refused, naming its input.
func TestDoctorNamesTheTurnDetector(t *testing.T) {
	testenv.ORTLibrary(t)
	model := func(name string) string {
		abs, err := filepath.Abs(filepath.Join("..", "pipeline", "turn", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return writeConfig(t, "[turn]\ndetector = \"smart-turn\"\nmodel = \""+abs+"\"\n")
	}
	out, _, ok := runParley(t, "doctor", "--config", model("smart-turn-contract.onnx"))
	wantAll(t, out, "turn: Smart Turn v3 at ", "follows the Smart Turn v3 contract")
	if !ok {
		t.Errorf("doctor failed with a model that follows the contract:\n%s", out)
	}
	out, _, ok = runParley(t, "doctor", "--config", model("smart-turn-badshape.onnx"))
	wantAll(t, out, `input "input_features" is float32 [-1 128 800], want float32 [N, 80, 800]`)
	if ok {
		t.Errorf("doctor passed a model reading 128 mel bins:\n%s", out)
	}
	out, _, _ = runParley(t, "doctor")
	wantAll(t, out, "turn: ")
}
