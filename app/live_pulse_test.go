package app

import (
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"parley/audio"
	"parley/internal/testenv"
)

// toneWAV writes a 16 kHz tone of d to a WAV file.
func toneWAV(t *testing.T, d time.Duration) string {
	t.Helper()
	n := int(d.Seconds() * 16000)
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(0.5 * math.Sin(2*math.Pi*440*float64(i)/16000))
	}
	path := filepath.Join(t.TempDir(), "tone.wav")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := audio.WriteWAV(f, s, 16000); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSwitchDevicesLive runs the real devices of a private PulseAudio with
// echo cancellation on: listening starts on the silent source; a switch to
// virtmic (a new canceller on the same reference) hears a tone played into
// it, without the reader ever stopping; a switch of the speaker (a new
// reference, a canceller on the same microphone) plays on the new sink.
func TestSwitchDevicesLive(t *testing.T) {
	testenv.Pulse(t)
	cfg := testenv.Config(t).Audio
	cfg.AEC = true
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	au, err := OpenAudio(ctx, cfg, Options{InputDevice: "silence", OutputDevice: "spk"})
	if err != nil {
		t.Fatal(err)
	}
	defer au.Close()
	l := newLiveAudio(au)
	defer l.close()
	first := l.now()

	var loud atomic.Bool
	readErr := make(chan error, 1)
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	go func() {
		buf := make([]float32, 512)
		for {
			n, err := l.source.Read(readCtx, buf)
			if err != nil {
				readErr <- err
				return
			}
			if audio.RMS(buf[:n]) > 0.05 {
				loud.Store(true)
			}
		}
	}()

	d, err := l.switchMic(ctx, "virtmic")
	if err != nil {
		t.Fatal(err)
	}
	now := l.now()
	if d.ID != "virtmic" || now.mic == first.mic || now.canceller == nil || now.canceller == first.canceller || now.ref != first.ref {
		t.Fatalf("after the mic switch: device %+v, parts %+v (first %+v)", d, now, first)
	}
	if l.canceller.Load() != now.canceller || l.mic.Load() != now.mic {
		t.Error("the level meter or the double-talk rule still follow the old microphone")
	}
	tone := toneWAV(t, time.Second)
	deadline := time.Now().Add(20 * time.Second)
	for !loud.Load() && time.Now().Before(deadline) {
		if out, err := exec.CommandContext(ctx, "paplay", "-d", "mic_feed", tone).CombinedOutput(); err != nil {
			t.Fatalf("paplay: %v\n%s", err, out)
		}
	}
	if !loud.Load() {
		t.Fatal("the tone played into virtmic never reached the reader after the switch")
	}

	d, err = l.switchSpeaker(ctx, "mic_feed")
	if err != nil {
		t.Fatal(err)
	}
	after := l.now()
	if d.ID != "mic_feed" || after.speaker == now.speaker || after.ref == now.ref || after.mic != now.mic || after.canceller == now.canceller {
		t.Fatalf("after the speaker switch: device %+v, parts %+v (before %+v)", d, after, now)
	}
	pb, err := l.player.Play(ctx, make([]float32, 4800), 16000)
	if err != nil {
		t.Fatal(err)
	}
	if err := pb.Wait(ctx); err != nil || pb.Flushed() {
		t.Fatalf("playback on the new speaker: %v, flushed %v", err, pb.Flushed())
	}
	select {
	case err := <-readErr:
		t.Fatalf("the reader stopped: %v", err)
	default:
	}
	wantClosed(ctx, t, first.mic)
}

// wantClosed checks that mic was closed: its reads give what was captured
// before, then ErrClosed (an open one goes on until the bound).
func wantClosed(ctx context.Context, t *testing.T, mic *audio.Mic) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var err error
	for err == nil {
		_, err = mic.Read(ctx, make([]float32, 4096))
	}
	if !errors.Is(err, audio.ErrClosed) {
		t.Errorf("the old microphone is still open: %v", err)
	}
}

// TestSwitchedDevicesReportTheirLoss: devices picked while parley runs are
// opened with the same resilience as the first ones: when the audio server
// dies, the new microphone and speaker report the loss (naming the server)
// on the Audio's state stream, and reconnect once it is back.
func TestSwitchedDevicesReportTheirLoss(t *testing.T) {
	srv := testenv.StartPulse(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	au, err := OpenAudio(ctx, testenv.Config(t).Audio, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer au.Close()
	l := newLiveAudio(au)
	defer l.close()
	// A device just opened on a fresh server may take longer than its
	// close deadline to let go: the switch is made, the old one abandoned.
	if _, err := l.switchMic(ctx, "virtmic"); err != nil && !errors.Is(err, audio.ErrCloseTimeout) {
		t.Fatal(err)
	}
	if _, err := l.switchSpeaker(ctx, "spk"); err != nil && !errors.Is(err, audio.ErrCloseTimeout) {
		t.Fatal(err)
	}
	if now := l.now(); now.mic.Device().ID != "virtmic" || now.speaker.Device().ID != "spk" {
		t.Fatalf("devices after the switch: %q, %q", now.mic.Device().ID, now.speaker.Device().ID)
	}
	go func() { // a running conversation reads its input
		buf := make([]float32, 512)
		for ctx.Err() == nil {
			if _, err := l.source.Read(ctx, buf); err != nil && ctx.Err() == nil {
				time.Sleep(10 * time.Millisecond)
			}
		}
	}()
	srv.Kill()
	waitStates(t, au, audio.DeviceLost, "PulseAudio at "+srv.Address)
	srv.Restart()
	waitStates(t, au, audio.DeviceRestored, "audio restored")
}

// waitStates waits for state from both the microphone and the speaker,
// each saying text.
func waitStates(t *testing.T, au *Audio, state audio.DeviceState, text string) {
	t.Helper()
	seen := map[string]bool{}
	deadline := time.After(60 * time.Second)
	for !seen["microphone"] || !seen["speaker"] {
		select {
		case c := <-au.States():
			t.Logf("state: %v", c)
			if c.State == state && strings.Contains(c.String(), text) {
				seen[c.Stream] = true
			}
		case <-deadline:
			t.Fatalf("no %v state from both devices within 60 s (saw %v)", state, seen)
		}
	}
}
