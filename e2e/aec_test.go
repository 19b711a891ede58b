package e2e

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"parley/internal/testenv"
	"parley/pipeline"
)

// loopSpeakerIntoMic loads a PulseAudio loopback from the virtual speaker's
// monitor into the virtual microphone, as a room carries the speakers' sound
// into a microphone (volume: PulseAudio's, 50% is about -18 dB), and unloads
// it when the test ends.
func loopSpeakerIntoMic(t *testing.T, latencyMS, volume string) {
	t.Helper()
	out, err := exec.Command("pactl", "load-module", "module-loopback", "source=spk.monitor", "sink=mic_feed",
		"latency_msec="+latencyMS).Output()
	if err != nil {
		t.Fatalf("load loopback: %v", err)
	}
	id := strings.TrimSpace(string(out))
	t.Cleanup(func() { _ = exec.Command("pactl", "unload-module", id).Run() })
	input := loopbackInput(t, id)
	if err := exec.Command("pactl", "set-sink-input-volume", input, volume).Run(); err != nil {
		t.Fatalf("set loopback volume: %v", err)
	}
}

// loopbackInput finds the sink input that module id owns.
func loopbackInput(t *testing.T, module string) string {
	t.Helper()
	out, err := exec.Command("pactl", "list", "sink-inputs").Output()
	if err != nil {
		t.Fatal(err)
	}
	var current string
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if n, ok := strings.CutPrefix(line, "Sink Input #"); ok {
			current = n
		}
		if line == "Owner Module: "+module {
			return current
		}
	}
	t.Fatalf("no sink input of module %s", module)
	return ""
}

// TestEchoCancellationKeepsParleyFromInterruptingItself plays parley's own
// voice back into its microphone. With echo cancellation and barge-in on,
// parley must speak its whole answer without hearing itself, and a second
// voice mixed on top must still interrupt it.
func TestEchoCancellationKeepsParleyFromInterruptingItself(t *testing.T) {
	testenv.Pulse(t)
	long := "Okay. Here is a long answer that goes on for a while. It has many sentences in it. " +
		"Each sentence takes a few seconds to say. You can interrupt me at any time. This is the last one."
	srv := newChatServer(t, 100*time.Millisecond, 10*time.Millisecond, long, "Fine, I stopped.")
	cfg := llmConfig(t, srv.URL(), "[conversation]\nbarge_in = true\n[audio]\naec = true\n")
	p := start(t, "--headless", "--json", "--config", cfg, "--input-device", "virtmic", "--output-device", "spk")
	evs := jsonEvents(p)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("parley's stderr:\n%s", p.stderr.String())
		}
	})
	waitEvent(t, evs, 30*time.Second, func(e pipeline.Event) bool { return strings.HasPrefix(e.Text, "listening on") })
	// Speakers reach a microphone well below the user's own voice: the echo
	// path here is about 18 dB down (with 0 dB, speexdsp's residual echo is
	// as loud as a quiet voice, and no level rule can tell them apart).
	loopSpeakerIntoMic(t, "60", "50%")
	dir := t.TempDir()
	speakIntoMic(t, flite(t, "kal16", dir, "q1", "what can you do"))
	waitEvent(t, evs, 30*time.Second, func(e pipeline.Event) bool { return e.State == pipeline.StateSpeaking })

	// Six seconds of parley hearing itself: no barge-in may happen.
	time.Sleep(6 * time.Second)
	for _, ev := range evs.all() {
		if strings.HasPrefix(ev.Text, "barge-in:") || ev.Kind == pipeline.KindInterrupted {
			t.Fatalf("parley interrupted itself: %+v", ev)
		}
	}
	second := flite(t, "kal16", dir, "q2", "thank you very much")
	played := make(chan error, 1)
	go func() { played <- playIntoMic(second) }()
	waitEvent(t, evs, 20*time.Second, func(e pipeline.Event) bool { return strings.HasPrefix(e.Text, "barge-in:") })
	cut := waitEvent(t, evs, 10*time.Second, func(e pipeline.Event) bool { return e.Kind == pipeline.KindInterrupted })
	if err := <-played; err != nil {
		t.Fatal(err)
	}
	p.interrupt(t)
	if cut.Text == "" || len(cut.Text) >= len(long) {
		t.Errorf("interrupted reply keeps %q; want the part played before the second voice", cut.Text)
	}
}
