package e2e

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"parley/internal/testenv"
	"parley/pipeline"
)

// lossLimit is how soon parley must report a lost audio server (by the
// event's own time, so the test's scheduling does not count), and
// exitLimit how soon it must exit after SIGINT or SIGTERM whatever the
// devices do (issue 10, item 2).
const (
	lossLimit = 2 * time.Second
	exitLimit = 2 * time.Second
)

// speakInto plays a WAV into the virtual microphone of the server that env
// names.
func speakInto(t *testing.T, env []string, wav string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "paplay", "-d", "mic_feed", wav)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("paplay %s: %v\n%s", wav, err, out)
	}
}

// startOnServer runs parley on the private server srv.
func startOnServer(t *testing.T, srv *testenv.PulseServer, args ...string) *proc {
	t.Helper()
	env, home := isolatedEnv(t)
	return startEnv(t, append(env, srv.Env()...), home, args...)
}

// infoWith and errorWith match notices and errors that contain text.
func infoWith(text string) func(pipeline.Event) bool {
	return func(e pipeline.Event) bool { return e.Kind == pipeline.KindInfo && strings.Contains(e.Text, text) }
}

func errorWith(text string) func(pipeline.Event) bool {
	return func(e pipeline.Event) bool { return e.Kind == pipeline.KindError && strings.Contains(e.Text, text) }
}

func kindIs(k pipeline.Kind) func(pipeline.Event) bool {
	return func(e pipeline.Event) bool { return e.Kind == k }
}

// stopWithin sends sig and returns parley's exit status, failing the test
// when parley takes longer than exitLimit to exit.
func stopWithin(t *testing.T, p *proc, sig syscall.Signal) error {
	t.Helper()
	sent := time.Now()
	_ = p.cmd.Process.Signal(sig)
	err := p.wait(t, 30*time.Second)
	if took := time.Since(sent); took > exitLimit {
		t.Errorf("parley took %.2f s to exit after %v, want at most %v", took.Seconds(), sig, exitLimit)
	} else {
		t.Logf("exit %.2f s after %v", took.Seconds(), sig)
	}
	return err
}

// lostWithin waits for an error after at that names the server, and
// checks it came within lossLimit of the loss at at.
func lostWithin(t *testing.T, evs *eventStream, srv *testenv.PulseServer, at time.Time) {
	t.Helper()
	names := errorWith("PulseAudio at " + srv.Address)
	lost := waitEvent(t, evs, 30*time.Second, func(e pipeline.Event) bool { return names(e) && !e.Time.Before(at) })
	if d := lost.Time.Sub(at); d > lossLimit {
		t.Errorf("loss reported %.2f s after it happened, want at most %v: %s", d.Seconds(), lossLimit, lost.Text)
	} else {
		t.Logf("loss reported after %.2f s: %s", d.Seconds(), lost.Text)
	}
}

// TestAudioServerLostAndBack runs parley on the microphone of its own
// PulseAudio and kills the server: an error naming it comes within 2 s,
// the devices come back when the server does and the next question is
// answered, and with the server stalled SIGINT still ends parley within
// 2 s. The conversation log keeps both turns and the loss.
func TestAudioServerLostAndBack(t *testing.T) {
	srv := testenv.StartPulse(t)
	testenv.Command(t, "paplay")
	dir := t.TempDir()
	q1, q2 := flite(t, "kal16", dir, "q1", "what time is it"), flite(t, "kal16", dir, "q2", "thank you very much")
	p := startOnServer(t, srv, "--headless", "--json", "--config", writeConfig(t, "[llm]\nengine = \"offline\"\n"))
	evs := jsonEvents(p)
	waitEvent(t, evs, 60*time.Second, infoWith("listening on"))
	speakInto(t, srv.Env(), q1)
	waitEvent(t, evs, 60*time.Second, kindIs(pipeline.KindSaid))

	killed := time.Now()
	srv.Kill()
	lostWithin(t, evs, srv, killed)
	waitEvent(t, evs, 30*time.Second, infoWith("audio lost, reconnecting"))
	srv.Restart()
	waitEvent(t, evs, 30*time.Second, infoWith("microphone: audio restored"))
	waitEvent(t, evs, 30*time.Second, infoWith("speaker: audio restored"))
	speakInto(t, srv.Env(), q2)
	heard := waitEvent(t, evs, 60*time.Second, func(e pipeline.Event) bool { return e.Kind == pipeline.KindHeard && e.Turn > 1 })
	waitEvent(t, evs, 60*time.Second, func(e pipeline.Event) bool { return e.Kind == pipeline.KindSaid && e.Turn == heard.Turn })

	stalled := time.Now()
	srv.Stop()
	lostWithin(t, evs, srv, stalled)
	if err := stopWithin(t, p, syscall.SIGINT); err != nil {
		t.Errorf("exit status %v after SIGINT on the microphone, want 0", err)
	}
	var turns, losses int
	for _, ev := range readLogs(t, p.home) {
		turns += boolInt(ev.Kind == pipeline.KindHeard)
		losses += boolInt(ev.Kind == pipeline.KindError && strings.Contains(ev.Text, "audio lost"))
	}
	if turns != 2 || losses < 2 {
		t.Errorf("the log holds %d heard and %d losses, want 2 and at least 2", turns, losses)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestAudioServerLostDuringInputPlayback kills the server while parley
// speaks a reply to an --input file: the loss is reported within 2 s and
// SIGTERM ends parley within 2 s, with the exit status of a run cut short.
func TestAudioServerLostDuringInputPlayback(t *testing.T) {
	srv := testenv.StartPulse(t)
	testenv.Command(t, "sox")
	long := "Here is a long answer. It has many sentences. Each one takes a while to say. " +
		"You will not hear the end of it. Nor this part. This is the last one."
	chat := newChatServer(t, 0, 0, long)
	dir := t.TempDir()
	q := flite(t, "kal16", dir, "q", "what can you do")
	padded := dir + "/padded.wav"
	if out, err := exec.Command("sox", q, padded, "pad", "0", "60").CombinedOutput(); err != nil {
		t.Fatalf("sox: %v\n%s", err, out)
	}
	p := startOnServer(t, srv, "--headless", "--json", "--config", llmConfig(t, chat.URL(), ""), "--input", padded)
	evs := jsonEvents(p)
	waitEvent(t, evs, 60*time.Second, func(e pipeline.Event) bool { return e.State == pipeline.StateSpeaking })
	time.Sleep(500 * time.Millisecond) // the first sentence is playing
	killed := time.Now()
	srv.Kill()
	lostWithin(t, evs, srv, killed)
	err := stopWithin(t, p, syscall.SIGTERM)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 143 {
		t.Errorf("exit status %v, want 143 (SIGTERM cut the --input run short)", err)
	}
}
