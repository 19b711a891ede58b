package audio

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/internal/testenv"
)

// ownServer starts a private PulseAudio that the test may kill, and points
// this process (and its children) at it until the test ends.
func ownServer(t testing.TB) *testenv.PulseServer {
	t.Helper()
	s := testenv.StartPulse(t)
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	return s
}

// states collects a device's state changes.
type states chan StateChange

func newStates() (states, Resilience) {
	ch := make(states, 256)
	return ch, Resilience{Reconnect: true, OnState: func(c StateChange) { ch <- c }}
}

// wait returns the first change to want, logging the others; a hang guard
// of within ends the test.
func (s states) wait(t *testing.T, want DeviceState, within time.Duration) StateChange {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case c := <-s:
			t.Logf("state: %v", c)
			if c.State == want {
				return c
			}
		case <-deadline:
			t.Fatalf("no %v state within %v", want, within)
		}
	}
}

// longCtx bounds a test that restarts servers.
func longCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// readFor reads the microphone for d and returns what it read.
func readFor(t testing.TB, ctx context.Context, mic *Mic, d time.Duration) []float32 {
	t.Helper()
	var got []float32
	p := make([]float32, FrameSize)
	for end := time.Now().Add(d); time.Now().Before(end); {
		n, err := mic.Read(ctx, p)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		got = append(got, p[:n]...)
	}
	return got
}

// checkLoss checks that err reports a lost device and names the server.
func checkLoss(t *testing.T, err error, srv *testenv.PulseServer) {
	t.Helper()
	if !errors.Is(err, ErrDeviceLost) || !strings.Contains(err.Error(), "PulseAudio at "+srv.Address) {
		t.Fatalf("err = %v; want ErrDeviceLost naming PulseAudio at %s", err, srv.Address)
	}
}

// toneWAV writes d of a 1 kHz tone at 16 kHz.
func toneWAV(t *testing.T, d time.Duration) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tone.wav")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := WriteWAV(f, sine(1000, SampleRate, samplesOf(d), 0.5), SampleRate); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestMicSurvivesServerRestart kills the audio server while the microphone
// captures: the loss is reported naming the server, Read goes on with
// silence, and once the server is back the microphone hears again.
func TestMicSurvivesServerRestart(t *testing.T) {
	srv := ownServer(t)
	paplay := testenv.Command(t, "paplay")
	ctx := longCtx(t)
	ch, res := newStates()
	mic, err := OpenMic(ctx, MicOptions{Device: "virtmic", Resilience: res})
	if err != nil {
		t.Fatal(err)
	}
	defer mic.Close()
	readFor(t, ctx, mic, 300*time.Millisecond)
	killed := time.Now()
	srv.Kill()
	lost := ch.wait(t, DeviceLost, 10*time.Second)
	t.Logf("loss noticed %v after the kill", time.Since(killed).Round(time.Millisecond))
	checkLoss(t, lost.Err, srv)
	silence := readFor(t, ctx, mic, 500*time.Millisecond)
	if len(silence) < samplesOf(300*time.Millisecond) || RMS(silence) != 0 {
		t.Fatalf("while lost, read %d samples at RMS %v; want real-time silence", len(silence), RMS(silence))
	}
	srv.Restart()
	ch.wait(t, DeviceRestored, 30*time.Second)
	micQuiet(t, ctx, mic)
	_, peak := captureWhile(t, ctx, mic, exec.Command(paplay, "-d", "mic_feed", toneWAV(t, time.Second)))
	if peak.RMS < 0.1 {
		t.Fatalf("after the restart the tone reached the microphone at RMS %.3f", peak.RMS)
	}
}

// TestSpeakerSurvivesServerRestart kills the audio server while the
// speaker plays: the playback ends, Play fails naming the server, and once
// the server is back a new sound is heard.
func TestSpeakerSurvivesServerRestart(t *testing.T) {
	srv := ownServer(t)
	ctx := longCtx(t)
	ch, res := newStates()
	sp, err := OpenSpeaker(ctx, SpeakerOptions{Device: "spk", Resilience: res})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	pb, err := sp.Play(ctx, sine(440, SampleRate, 10*SampleRate, 0.5), SampleRate)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pb.WaitStarted(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	checkLoss(t, ch.wait(t, DeviceLost, 10*time.Second).Err, srv)
	if err := pb.Wait(ctx); err != nil || !pb.Flushed() {
		t.Fatalf("the playback cut by the loss: wait %v, flushed %v", err, pb.Flushed())
	}
	_, err = sp.Play(ctx, sine(440, SampleRate, SampleRate, 0.5), SampleRate)
	checkLoss(t, err, srv)
	srv.Restart()
	ch.wait(t, DeviceRestored, 30*time.Second)
	rec := startRecorder(t)
	pb, err = sp.Play(ctx, chirp(SampleRate, time.Second, 500, 0.5), SampleRate)
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if heard := chirpTimes(rec.stop(), 500); len(heard) < 20 {
		t.Fatalf("after the restart heard %d blocks of the 1 s chirp", len(heard))
	}
}

// serverFaults are the ways a test takes a server away: stalled (SIGSTOP:
// its socket accepts, it answers nothing) or killed.
func serverFaults() map[string]func(*testenv.PulseServer) {
	return map[string]func(*testenv.PulseServer){"stalled": (*testenv.PulseServer).Stop, "killed": (*testenv.PulseServer).Kill}
}

// faulted opens a microphone and a speaker (neither reconnects) on a
// server of the test's own, checks that audio flows, then applies fault.
func faulted(t testing.TB, fault func(*testenv.PulseServer)) (*testenv.PulseServer, *Mic, *Speaker) {
	t.Helper()
	srv := ownServer(t)
	ctx := longCtx(t)
	mic, err := OpenMic(ctx, MicOptions{Device: "virtmic"})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := OpenSpeaker(ctx, SpeakerOptions{Device: "spk"})
	if err != nil {
		t.Fatal(err)
	}
	readFor(t, ctx, mic, 300*time.Millisecond)
	fault(srv)
	t.Cleanup(srv.Continue)
	return srv, mic, sp
}

// TestCloseDoesNotHangOnLostServer stalls or kills the server under an
// open microphone and speaker that do not reconnect: Read reports the
// loss, and Close returns within its deadline whatever the device does.
func TestCloseDoesNotHangOnLostServer(t *testing.T) {
	for name, fault := range serverFaults() {
		t.Run(name, func(t *testing.T) {
			srv, mic, sp := faulted(t, fault)
			start := time.Now()
			err := readUntilError(t, longCtx(t), mic)
			t.Logf("Read failed %v after the fault: %v", time.Since(start).Round(time.Millisecond), err)
			checkLoss(t, err, srv)
			closeBoth(t, mic, sp)
		})
	}
}

// TestCloseOnStalledServer closes a microphone and a speaker at once after
// their server stalls, before the loss is noticed: the devices are still
// open, their uninit waits on a server that never answers, and Close must
// return at its deadline anyway.
func TestCloseOnStalledServer(t *testing.T) {
	_, mic, sp := faulted(t, (*testenv.PulseServer).Stop)
	closeBoth(t, mic, sp)
}

// readUntilError reads until Read fails and returns the error.
func readUntilError(t *testing.T, ctx context.Context, mic *Mic) error {
	t.Helper()
	p := make([]float32, FrameSize)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		if _, err := mic.Read(ctx, p); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatal("Read went on for 10 s after the fault")
			}
			return err
		}
	}
}

// closeBoth closes the devices with a hang guard far beyond their deadline.
func closeBoth(t *testing.T, mic *Mic, sp *Speaker) {
	t.Helper()
	done := make(chan [2]error, 1)
	start := time.Now()
	go func() { done <- [2]error{mic.Close(), sp.Close()} }()
	select {
	case errs := <-done:
		t.Logf("closed in %v: mic %v, speaker %v", time.Since(start).Round(time.Millisecond), errs[0], errs[1])
		for _, err := range errs {
			if err != nil && !errors.Is(err, ErrCloseTimeout) {
				t.Fatalf("close: %v", err)
			}
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close blocked for 10 s")
	}
}

// TestCloseWithBlockedOnState: an OnState callback that never returns
// (an app whose channel is full) must not make Close block.
func TestCloseWithBlockedOnState(t *testing.T) {
	srv := ownServer(t)
	ctx := longCtx(t)
	block, entered := make(chan struct{}), make(chan struct{}, 1)
	defer close(block)
	res := Resilience{Reconnect: true, OnState: func(StateChange) {
		select {
		case entered <- struct{}{}:
		default:
		}
		<-block
	}}
	mic, err := OpenMic(ctx, MicOptions{Device: "virtmic", Resilience: res})
	if err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("no state change within 10 s of the kill")
	}
	done := make(chan error, 1)
	go func() { done <- mic.Close() }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrCloseTimeout) {
			t.Fatalf("Close = %v, want ErrCloseTimeout", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close blocked behind OnState")
	}
}
