package audio

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gen2brain/malgo"

	"parley/internal/testenv"
)

func TestParseLatency(t *testing.T) {
	tests := []struct {
		in   string
		want Latency
		err  bool
	}{
		{"auto", Latency{}, false},
		{"", Latency{}, false},
		{"20ms", Latency{Period: 20 * time.Millisecond}, false},
		{"250ms", Latency{Period: 250 * time.Millisecond}, false},
		{"1ms", Latency{}, true},
		{"2s", Latency{}, true},
		{"fast", Latency{}, true},
	}
	for _, tc := range tests {
		got, err := ParseLatency(tc.in)
		if got != tc.want || (err != nil) != tc.err || (err != nil && !errors.Is(err, ErrInvalidOptions)) {
			t.Errorf("ParseLatency(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestServerRemoteness(t *testing.T) {
	tests := []struct {
		server, ssh string
		remote      bool
	}{
		{"", "", false},
		{"unix:/tmp/pulse.sock", "", false},
		{"/tmp/pulse.sock", "", false},
		{"tcp:laptop:4713", "", true},
		{"laptop", "", true},
		{"{abc}tcp6:[::1]", "", true},
		{"unix:/tmp/pulse.sock", "10.0.0.2 5000 10.0.0.1 22", true},
	}
	for _, tc := range tests {
		t.Setenv("PULSE_SERVER", tc.server)
		t.Setenv("SSH_CONNECTION", tc.ssh)
		s := CurrentServer()
		if s.Remote != tc.remote || s.Named != (tc.server != "") {
			t.Errorf("PULSE_SERVER=%q SSH_CONNECTION=%q: %+v; want remote %v", tc.server, tc.ssh, s, tc.remote)
		}
		play, capture := (Latency{}).resolve(s, malgo.Playback), (Latency{}).resolve(s, malgo.Capture)
		if tc.remote && (play.Period != RemotePlaybackPeriod || capture.Period != RemoteCapturePeriod) {
			t.Errorf("%q: auto latency %v / %v for a remote server", tc.server, play, capture)
		}
		if !tc.remote && (play.Period != LocalPlaybackPeriod || capture.Period != 0) {
			t.Errorf("%q: auto latency %v / %v for a local server, want %v / the backend's default", tc.server, play, capture, LocalPlaybackPeriod)
		}
	}
}

// TestRemoteServerGetsLargeBuffers opens devices as inside an SSH
// session: auto latency must give them the remote periods.
func TestRemoteServerGetsLargeBuffers(t *testing.T) {
	ownServer(t)
	for _, ssh := range []string{"", "10.0.0.2 5000 10.0.0.1 22"} {
		t.Setenv("SSH_CONNECTION", ssh)
		r, err := Probe(longCtx(t), ProbeOptions{InputDevice: "virtmic", OutputDevice: "spk"})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("SSH_CONNECTION=%q: capture period %v delay %v; playback period %v delay %v",
			ssh, r.Capture.Period, r.Capture.Delay, r.Playback.Period, r.Playback.Delay)
		big := r.Capture.Delay >= RemoteCapturePeriod*3/4 && r.Playback.Delay >= RemotePlaybackPeriod*3/4
		if big != (ssh != "") {
			t.Errorf("SSH_CONNECTION=%q: delays %v / %v; want the remote periods only for a remote server",
				ssh, r.Capture.Delay, r.Playback.Delay)
		}
	}
}

// TestSharedMemoryOffThroughRelay reaches the server through a relay that
// drops file descriptors, as an SSH socket forward does: with shared memory
// on, libpulse's memfd never arrives and the server kicks the client;
// parley must turn it off for itself and play and capture.
func TestSharedMemoryOffThroughRelay(t *testing.T) {
	srv := ownServer(t)
	rec := startRecorder(t) // straight to the server
	relay := testenv.Relay(t, strings.TrimPrefix(srv.Address, "unix:"), 0)
	t.Setenv("PULSE_SERVER", "unix:"+relay)
	t.Setenv("PULSE_CLIENTCONFIG", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	ctx := longCtx(t)
	sp, err := OpenSpeaker(ctx, SpeakerOptions{Device: "spk"})
	if err != nil {
		t.Fatalf("speaker through the relay: %v", err)
	}
	defer sp.Close()
	conf := os.Getenv("PULSE_CLIENTCONFIG")
	b, err := os.ReadFile(conf)
	if err != nil || !strings.Contains(string(b), "enable-shm = no") || !strings.Contains(string(b), ".include ") {
		t.Fatalf("PULSE_CLIENTCONFIG=%q holds %q (%v); want enable-shm = no after an include", conf, b, err)
	}
	if _, err := sp.Play(ctx, chirp(SampleRate, time.Second, 700, 0.5), SampleRate); err != nil {
		t.Fatal(err)
	}
	if err := sp.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if heard := chirpTimes(rec.stop(), 700); len(heard) < 20 {
		t.Fatalf("heard %d blocks of the chirp played through the relay", len(heard))
	}
	mic, err := OpenMic(ctx, MicOptions{Device: "virtmic"})
	if err != nil {
		t.Fatalf("microphone through the relay: %v", err)
	}
	defer mic.Close()
	readFor(t, ctx, mic, 200*time.Millisecond)
}

// TestUserClientConfigKept: a PULSE_CLIENTCONFIG the user set is theirs.
func TestUserClientConfigKept(t *testing.T) {
	t.Setenv("PULSE_SERVER", "tcp:laptop")
	t.Setenv("PULSE_CLIENTCONFIG", "/home/me/pulse.conf")
	if err := disableSHM(); err != nil || os.Getenv("PULSE_CLIENTCONFIG") != "/home/me/pulse.conf" {
		t.Fatalf("PULSE_CLIENTCONFIG = %q (%v), want the user's", os.Getenv("PULSE_CLIENTCONFIG"), err)
	}
	if got := SharedMemory(); !strings.Contains(got, "/home/me/pulse.conf") {
		t.Fatalf("SharedMemory() = %q, want it to name the user's config", got)
	}
}
