package e2e

import (
	"encoding/binary"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/internal/stats"
	"parley/internal/testenv"
	"parley/pipeline"
)

// timedRecorder records the virtual speaker's monitor and notes the wall
// clock at which each small chunk arrived (parec runs with 20 ms latency),
// so that sound can be lined up with parley's event times within ~20 ms.
type timedRecorder struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	chunks []timedChunk
	done   chan struct{}
}

type timedChunk struct {
	at  time.Time // when the chunk's last sample arrived
	rms float64
}

func recordTimed(t *testing.T) *timedRecorder {
	t.Helper()
	return recordTimedFrom(t, nil, "spk.monitor")
}

// recordTimedFrom is recordTimed for any source of the server env names
// (nil: this process's server).
func recordTimedFrom(t *testing.T, env []string, source string) *timedRecorder {
	t.Helper()
	r := &timedRecorder{done: make(chan struct{})}
	var out io.Reader
	r.cmd, out = startParec(t, env, source, 20)
	go r.read(out)
	t.Cleanup(func() { _ = r.cmd.Process.Kill(); <-r.done; _ = r.cmd.Wait() })
	return r
}

func (r *timedRecorder) read(out io.Reader) {
	defer close(r.done)
	buf := make([]byte, 640) // 20 ms
	for {
		if _, err := io.ReadFull(out, buf); err != nil {
			return
		}
		var sum float64
		for i := 0; i < len(buf); i += 2 {
			v := float64(int16(binary.LittleEndian.Uint16(buf[i:]))) / 32768
			sum += v * v
		}
		r.mu.Lock()
		r.chunks = append(r.chunks, timedChunk{at: time.Now(), rms: math.Sqrt(sum / 320)})
		r.mu.Unlock()
	}
}

// silentFrom returns when the speaker fell silent after t (600 ms of chunks
// under -45 dBFS; t itself when it was already in a pause between words),
// and whether it was loud in the second before t.
func (r *timedRecorder) silentFrom(t time.Time) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	const quiet, hold = 0.0056, 30 // -45 dBFS, 30 chunks = 600 ms
	loudBefore := false
	for i, c := range r.chunks {
		if c.at.Before(t.Add(-time.Second)) {
			continue
		}
		if c.at.Before(t) {
			loudBefore = loudBefore || c.rms > quiet
			continue
		}
		if c.rms < quiet && i+hold < len(r.chunks) && allQuiet(r.chunks[i:i+hold], quiet) {
			return c.at.Add(-20 * time.Millisecond), loudBefore
		}
	}
	return time.Time{}, loudBefore
}

func allQuiet(cs []timedChunk, quiet float64) bool {
	for _, c := range cs {
		if c.rms >= quiet {
			return false
		}
	}
	return true
}

// llmConfig points parley at the test server.
func llmConfig(t *testing.T, url string, extra string) string {
	t.Helper()
	cfg := "[llm]\nengine = \"openai\"\nbase_url = \"" + url + "\"\nmodel = \"test-model\"\n" + extra
	path := filepath.Join(t.TempDir(), "llm.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var metricMS = regexp.MustCompile(`(\w+)=(\d+)ms`)

// TestStreamedAnswerFromServer asks three questions through the virtual
// microphone; a test server streams the answers with a fixed 300 ms
// first-token delay; parley speaks them unit by unit. It prints the measured
// voice-to-voice latency (not asserted with a tight timer).
func TestStreamedAnswerFromServer(t *testing.T) {
	testenv.Pulse(t)
	reply := "Sure, here is a short answer for you. It has two sentences."
	srv := newChatServer(t, 300*time.Millisecond, 20*time.Millisecond, reply)
	rec := record(t)
	p := start(t, "--headless", "--config", llmConfig(t, srv.URL(), ""), "--input-device", "virtmic", "--output-device", "spk")
	p.waitFor(t, 30*time.Second, "info: listening")
	dir := t.TempDir()
	for i, q := range []string{"what time is it", "what can you do", "thank you very much"} {
		speakIntoMic(t, flite(t, "kal16", dir, "q"+strconv.Itoa(i), q))
		p.waitFor(t, 30*time.Second, "said:", "error:")
	}
	p.interrupt(t)
	if got := p.linesWith("answer: "); len(got) != 3 || got[0] != reply {
		t.Errorf("answers %q, want the server's reply three times", got)
	}
	if v := voicedSeconds(rec.stop(t)); v < 3 {
		t.Errorf("only %.1f s of speech recorded from the speaker", v)
	}
	figures := map[string][]float64{}
	for _, m := range p.linesWith("metrics: ") {
		for _, g := range metricMS.FindAllStringSubmatch(m, -1) {
			f, _ := strconv.ParseFloat(g[2], 64)
			figures[g[1]] = append(figures[g[1]], f)
		}
	}
	for _, name := range []string{"llm_first_token", "first_unit", "tts_first_audio", "playback_start", "voice_to_voice"} {
		v := figures[name]
		t.Logf("%-16s p50 %5.0f ms  p95 %5.0f ms  (%v)", name, stats.Quantile(v, 0.5), stats.Quantile(v, 0.95), v)
	}
	if ft := figures["llm_first_token"]; len(ft) == 0 || ft[0] < 300 {
		t.Errorf("llm_first_token %v: the server waits 300 ms before the first token", ft)
	}
}

// TestBargeInStopsPlayback speaks over a long answer: the speaker must fall
// silent within 150 ms of the detection, the cut reply keeps only what was
// played, and the new utterance is answered.
func TestBargeInStopsPlayback(t *testing.T) {
	testenv.Pulse(t)
	long := "Okay. Here is a long answer that goes on for a while. It has many sentences in it. " +
		"Each sentence takes a few seconds to say. You can interrupt me at any time. This is the last one."
	srv := newChatServer(t, 100*time.Millisecond, 10*time.Millisecond, long, "Fine, I stopped.")
	rec := recordTimed(t)
	p := start(t, "--headless", "--json", "--config", llmConfig(t, srv.URL(), "[conversation]\nbarge_in = true\n[audio]\naec = false\n"),
		"--input-device", "virtmic", "--output-device", "spk")
	evs := jsonEvents(p)
	waitEvent(t, evs, 30*time.Second, func(e pipeline.Event) bool { return strings.HasPrefix(e.Text, "listening on") })
	dir := t.TempDir()
	speakIntoMic(t, flite(t, "kal16", dir, "q1", "what can you do"))
	waitEvent(t, evs, 30*time.Second, func(e pipeline.Event) bool { return e.State == pipeline.StateSpeaking })
	time.Sleep(3 * time.Second) // the first units have been played
	second := flite(t, "kal16", dir, "q2", "thank you very much")
	played := make(chan error, 1)
	go func() { played <- playIntoMic(second) }()
	detected := waitEvent(t, evs, 20*time.Second, func(e pipeline.Event) bool { return strings.HasPrefix(e.Text, "barge-in:") })
	cut := waitEvent(t, evs, 10*time.Second, func(e pipeline.Event) bool { return e.Kind == pipeline.KindInterrupted })
	said := waitEvent(t, evs, 30*time.Second, func(e pipeline.Event) bool { return e.Kind == pipeline.KindSaid })
	p.interrupt(t)
	if err := <-played; err != nil {
		t.Fatal(err)
	}

	silent, loud := rec.silentFrom(detected.Time)
	if !loud || silent.IsZero() {
		rec.dump(t, detected.Time)
		t.Fatalf("speaker not playing before the barge-in (%v) or never silent after it (%v)", loud, silent)
	}
	stop := silent.Sub(detected.Time)
	t.Logf("barge-in: speaker silent %.0f ms after detection (%s)", float64(stop.Milliseconds()), detected.Text)
	if stop > 150*time.Millisecond {
		t.Errorf("speaker fell silent %s after detection, want within 150 ms", stop)
	}
	if cut.Text == "" || !strings.HasPrefix(long, cut.Text) || len(cut.Text) >= len(long) {
		t.Errorf("interrupted reply keeps %q, want a played prefix of the answer", cut.Text)
	}
	if said.Turn <= cut.Turn || said.Text != "Fine, I stopped." {
		t.Errorf("the new utterance was not answered: %+v", said)
	}
}

// dump logs the speaker level around t, for a failing barge-in test.
func (r *timedRecorder) dump(t *testing.T, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.chunks {
		if d := c.at.Sub(at); d > -2*time.Second && d < time.Second {
			t.Logf("%+6dms rms %.4f", d.Milliseconds(), c.rms)
		}
	}
}
