package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"parley/audio"
	"parley/internal/stats"
	"parley/internal/testenv"
	"parley/pipeline"
)

// sshReply is the test server's answer to everything: one sentence, so
// parley speaks it as one unit, about 3 s long in flite's slt voice.
const sshReply = "Here is a short answer that takes a few seconds to say out loud."

// sshConfig is the remote parley's config: the test's LLM server and flite,
// whose voice the test can synthesise itself to know the reply's length.
func sshConfig(url string) string {
	return "[llm]\nengine = \"openai\"\nbase_url = \"" + url + "\"\nmodel = \"test-model\"\n" +
		"[tts]\nengine = \"flite\"\n[tts.flite]\nvoice = \"slt\"\n"
}

// TestPulseAudioOverSSH runs README.md's SSH recipe word for word through a
// real OpenSSH server, from a "laptop" PulseAudio of its own. doctor run
// that way sees a remote server and its buffers. Spoken questions are
// answered on the laptop's speaker: on the laptop's server directly (the
// baseline), over SSH on loopback, and over SSH at a 100 ms round trip (a
// relay in front of sshd delays each direction by 50 ms), where all five
// must be answered and the reply must still play in real time (at most
// 1.3x its length). It logs what the user hears at the laptop (end of
// speech at its microphone to the reply at its speaker) next to the
// voice_to_voice parley logs.
func TestPulseAudioOverSSH(t *testing.T) {
	checkREADMERecipe(t)
	laptop := testenv.StartPulse(t)
	for _, c := range []string{"paplay", "parec", "flite"} {
		testenv.Command(t, c)
	}
	chat := newChatServer(t, 0, 0, sshReply)
	home := t.TempDir()
	writeFile(t, filepath.Join(home, "config", "parley", "config.toml"), sshConfig(chat.URL()))
	sshd := startSSHD(t, true, remoteEnv(home))
	ears := listenAtLaptop(t, laptop)
	replyLen := replyLength(t)
	t.Logf("the reply lasts %v as flite says it", replyLen)

	t.Run("local", func(t *testing.T) {
		env := append(withoutEnv(os.Environ(), "SSH_CONNECTION"), laptop.Env()...)
		env = append(env, "XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_STATE_HOME="+filepath.Join(home, "state"))
		p := startEnv(t, env, home, "--headless", "--json")
		f := converse(t, p, ears, 3, func() { p.interrupt(t) })
		f.report(t, p, replyLen, 3)
	})
	t.Run("doctor", func(t *testing.T) {
		run := runRecipe(t, sshd, sshd.addr, laptop, recipeOptions{edit: func(s string) string {
			return strings.Replace(s, "parley --headless --json", "parley doctor", 1)
		}})
		_ = run.wait(t, 60*time.Second) // its verdict is about the LLM test server, not audio
		wantAll(t, strings.Join(run.output(), "\n"), "backend: pulseaudio", "remote server: parley runs in an SSH session",
			"on pulseaudio opens; period 200ms", "on pulseaudio opens; period 400ms",
			"added latency: capture 200ms + playback 400ms on top of voice_to_voice (device buffers (pulseaudio)")
	})
	t.Run("ssh loopback", func(t *testing.T) {
		run := runRecipe(t, sshd, sshd.addr, laptop, recipeOptions{})
		f := converse(t, run.proc, ears, 3, func() { run.stop(t) })
		f.report(t, run.proc, replyLen, 3)
	})
	t.Run("ssh 100ms RTT", func(t *testing.T) {
		run := runRecipe(t, sshd, testenv.TCPRelay(t, sshd.addr, 50*time.Millisecond), laptop, recipeOptions{})
		f := converse(t, run.proc, ears, 5, func() { run.stop(t) })
		f.report(t, run.proc, replyLen, 5)
		if worst := stats.Quantile(f.ratio, 1); len(f.ratio) == 0 || worst > 1.3 {
			t.Errorf("the reply took up to %.2fx its length to play (%v), want <= 1.3x", worst, f.ratio)
		}
	})
}

// checkREADMERecipe fails when README.md no longer holds sshRecipe.
func checkREADMERecipe(t *testing.T) {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), sshRecipe) {
		t.Errorf("README.md lacks the tested SSH recipe:\n%s", sshRecipe)
	}
}

// TestStaleForwardedSocketOverSSH: sshd keeps Debian's default
// (StreamLocalBindUnlink no) and an earlier session's socket is still
// there. The recipe as written stops at once (ExitOnForwardFailure);
// without that option ssh only warns, and parley must then fail saying the
// socket is stale and how to fix it, never play to another device.
func TestStaleForwardedSocketOverSSH(t *testing.T) {
	laptop := testenv.StartPulse(t)
	sshd := startSSHD(t, false, remoteEnv(t.TempDir()))

	run := runRecipe(t, sshd, sshd.addr, laptop, recipeOptions{stale: true})
	err := run.wait(t, 30*time.Second)
	if err == nil || !strings.Contains(run.stderr.String(), "remote port forwarding failed") {
		t.Errorf("ssh with ExitOnForwardFailure=yes: %v, stderr:\n%s\nwant it to stop on the failed forward", err, run.stderr.String())
	}
	if len(run.output()) > 0 {
		t.Errorf("parley ran without its forward: %q", run.output())
	}

	run = runRecipe(t, sshd, sshd.addr, laptop, recipeOptions{stale: true, edit: func(s string) string {
		return strings.Replace(s, " -o ExitOnForwardFailure=yes", "", 1)
	}})
	if err := run.wait(t, 60*time.Second); err == nil {
		t.Fatalf("parley ran on a stale socket; output %q", run.output())
	}
	msg := run.stderr.String()
	for _, want := range []string{"stale socket file", "StreamLocalBindUnlink yes", "rm " + run.socket, "no other backend was tried"} {
		if !strings.Contains(msg, want) {
			t.Errorf("parley's error lacks %q:\n%s", want, msg)
		}
	}
}

// laptopEars records the laptop's microphone (what the user said) and
// speaker (what the user heard), with the time each 20 ms arrived.
type laptopEars struct {
	env      []string
	mic, spk *timedRecorder
}

func listenAtLaptop(t *testing.T, laptop *testenv.PulseServer) *laptopEars {
	t.Helper()
	env := laptop.Env()
	return &laptopEars{env: env, mic: recordTimedFrom(t, env, "virtmic"), spk: recordTimedFrom(t, env, "spk.monitor")}
}

// say plays wav into the laptop's microphone; it returns when it started
// and when it was played.
func (l *laptopEars) say(t *testing.T, wav string) (from, to time.Time) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "paplay", "-d", "mic_feed", wav)
	cmd.Env = append(os.Environ(), l.env...)
	from = time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("paplay %s on the laptop: %v\n%s", wav, err, out)
	}
	return from, time.Now()
}

// sshFigures are one session's turns as parley logged them and as the
// laptop heard them.
type sshFigures struct {
	answered   int
	logged     []float64 // voice_to_voice, ms
	heard      []float64 // end of speech at the laptop's mic to the reply at its speaker, ms
	transcript []float64 // end of speech at the laptop's mic to parley's final transcript, ms
	ratio      []float64 // the reply's playback time over its length
}

// converse asks n questions through the laptop's microphone, each once
// the last reply has ended, then ends parley with stop and measures each
// turn. parley runs with --json, so its events carry times on this
// machine's clock, which the laptop's recordings share.
func converse(t *testing.T, p *proc, ears *laptopEars, n int, stop func()) sshFigures {
	t.Helper()
	evs := jsonEvents(p)
	waitEvent(t, evs, 60*time.Second, func(e pipeline.Event) bool { return strings.HasPrefix(e.Text, "listening on") })
	dir := t.TempDir()
	var spoken [][2]time.Time
	for i := range n {
		from, to := ears.say(t, flite(t, "kal16", dir, "q"+strconv.Itoa(i), e2eSentences[i]))
		spoken = append(spoken, [2]time.Time{from, to})
		if _, found, _ := p.poll(60*time.Second, endsTurn); !found {
			t.Logf("utterance %d: no reply within 60 s", i+1)
		}
		time.Sleep(time.Second) // the echo tail, and silence on the speaker
	}
	stop()
	var f sshFigures
	all := evs.all()
	for _, s := range spoken {
		f.measure(ears, all, s)
	}
	for _, e := range all {
		switch {
		case e.Kind == pipeline.KindMetrics && e.Metrics != nil:
			f.logged = append(f.logged, e.Metrics.VoiceToVoice)
		case e.Kind == pipeline.KindSaid && e.Text == sshReply:
			f.answered++
		}
	}
	return f
}

// endsTurn matches the event that ends a turn: the reply played, nothing
// recognised, or an error.
func endsTurn(line string) bool {
	e, ok := parseEvent(line)
	return ok && (e.Kind == pipeline.KindSaid || e.Kind == pipeline.KindError ||
		e.Kind == pipeline.KindInfo && strings.HasPrefix(e.Text, "nothing recognised"))
}

// measure adds one turn's figures: the user's speech ends at the last
// sound on the laptop's mic, the reply is the next sound on its speaker
// until 600 ms of silence.
func (f *sshFigures) measure(ears *laptopEars, events []pipeline.Event, spoken [2]time.Time) {
	end := ears.mic.lastLoud(spoken[0], spoken[1].Add(300*time.Millisecond))
	if end.IsZero() {
		return
	}
	for _, e := range events {
		if e.Kind == pipeline.KindHeard && e.Time.After(end) {
			f.transcript = append(f.transcript, ms(e.Time.Sub(end)))
			break
		}
	}
	heard := ears.spk.firstLoud(end)
	if heard.IsZero() {
		return
	}
	f.heard = append(f.heard, ms(heard.Sub(end)))
	if stop, _ := ears.spk.silentFrom(heard); !stop.IsZero() {
		f.ratio = append(f.ratio, stop.Sub(heard.Add(-timedChunk20ms)).Seconds())
	}
}

// report logs the figures, turns each playback time into a ratio of
// replyLen, and checks that every question was answered.
func (f *sshFigures) report(t *testing.T, p *proc, replyLen time.Duration, n int) {
	t.Helper()
	for i := range f.ratio {
		f.ratio[i] /= replyLen.Seconds()
	}
	t.Logf("answered %d of %d; voice_to_voice logged %s; heard at the laptop %s; transcript after %s; playback time / reply length %s",
		f.answered, n, spread(f.logged, "%.0f ms"), spread(f.heard, "%.0f ms"), spread(f.transcript, "%.0f ms"), spread(f.ratio, "%.2f"))
	if f.answered != n {
		t.Errorf("%d of %d questions answered; output:\n%s\nstderr:\n%s", f.answered, n, strings.Join(p.output(), "\n"), p.stderr.String())
	}
}

// spread formats p50 and the range of v.
func spread(v []float64, format string) string {
	if len(v) == 0 {
		return "none"
	}
	f := func(x float64) string { return fmt.Sprintf(format, x) }
	return fmt.Sprintf("p50 %s (%s .. %s, %d)", f(stats.Quantile(v, 0.5)), f(stats.Quantile(v, 0)), f(stats.Quantile(v, 1)), len(v))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// replyLength is how long flite's slt voice takes to say sshReply, from
// its first to its last sound, measured as the recordings are.
func replyLength(t *testing.T) time.Duration {
	t.Helper()
	samples, err := audio.ReadMono16k(flite(t, "slt", t.TempDir(), "reply", sshReply))
	if err != nil {
		t.Fatal(err)
	}
	const chunk = 320 // 20 ms, as timedRecorder
	first, last := -1, -1
	for i := 0; i+chunk <= len(samples); i += chunk {
		if float64(audio.RMS(samples[i:i+chunk])) > quietRMS {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		t.Fatal("flite's reply is silent")
	}
	return time.Duration(last+chunk-first) * time.Second / audio.SampleRate
}

// quietRMS is the level under which a 20 ms chunk counts as silence
// (-45 dBFS, as timedRecorder.silentFrom).
const quietRMS = 0.0056

// timedChunk20ms is how much audio one timedChunk holds.
const timedChunk20ms = 20 * time.Millisecond

// lastLoud returns when the last chunk louder than silence within [from,
// to] arrived; zero when none.
func (r *timedRecorder) lastLoud(from, to time.Time) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	var at time.Time
	for _, c := range r.chunks {
		if !c.at.Before(from) && !c.at.After(to) && c.rms > quietRMS {
			at = c.at
		}
	}
	return at
}

// firstLoud returns when the first chunk louder than silence after from
// arrived; zero when none.
func (r *timedRecorder) firstLoud(from time.Time) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.chunks {
		if c.at.After(from) && c.rms > quietRMS {
			return c.at
		}
	}
	return time.Time{}
}
