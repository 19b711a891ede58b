package audio

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"parley/internal/testenv"
)

func TestFindDevice(t *testing.T) {
	list := []DeviceInfo{
		{ID: "spk", Name: "Null Output", Default: true},
		{ID: "mic_feed", Name: "Null Output"},
		{ID: "alsa_output.usb-Jabra", Name: "Jabra Speak 510 Analog Stereo"},
	}
	tests := []struct {
		want   string
		wantID string
		err    error
	}{
		{"", "", nil},
		{"default", "", nil},
		{"spk", "spk", nil},
		{"jabra speak 510 analog stereo", "alsa_output.usb-Jabra", nil},
		{"JABRA", "alsa_output.usb-Jabra", nil},
		{"feed", "mic_feed", nil},
		{"Null Output", "", ErrAmbiguousDevice},
		{"output", "", ErrAmbiguousDevice},
		{"hdmi", "", ErrDeviceNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			d, err := findDevice(list, tc.want, "playback")
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if got := ""; d != nil {
				got = d.ID
				if got != tc.wantID {
					t.Fatalf("picked %q, want %q", got, tc.wantID)
				}
			} else if tc.wantID != "" {
				t.Fatalf("picked nothing, want %q", tc.wantID)
			}
		})
	}
	_, err := findDevice(list, "hdmi", "playback")
	for _, name := range []string{`"Null Output" (spk)`, `"Jabra Speak 510 Analog Stereo"`} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not list %s", err, name)
		}
	}
}

func TestListDevicesPulse(t *testing.T) {
	testenv.Pulse(t)
	d, err := ListDevices(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d.Backend != "pulseaudio" {
		t.Fatalf("backend %q, want pulseaudio", d.Backend)
	}
	isDefault := func(id string) func(DeviceInfo) bool {
		return func(d DeviceInfo) bool { return d.ID == id && d.Default }
	}
	if !slices.ContainsFunc(d.Capture, isDefault("virtmic")) {
		t.Errorf("capture devices %v lack default virtmic", d.Capture)
	}
	if !slices.ContainsFunc(d.Playback, isDefault("spk")) {
		t.Errorf("playback devices %v lack default spk", d.Playback)
	}
}

func TestBackendChoice(t *testing.T) {
	if _, err := ListBackendDevices(context.Background(), "coreaudio"); !errors.Is(err, ErrUnknownBackend) {
		t.Fatalf("unknown backend: err = %v", err)
	}
	d, err := ListBackendDevices(context.Background(), "null")
	if err != nil || d.Backend != "null" || len(d.Capture) == 0 || len(d.Playback) == 0 {
		t.Fatalf("null backend: %+v, %v", d, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ListDevices(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err = %v", err)
	}
}

func TestUnknownDeviceListsAvailable(t *testing.T) {
	testenv.Pulse(t)
	_, err := OpenMic(context.Background(), MicOptions{Device: "no-such-mic"})
	if !errors.Is(err, ErrDeviceNotFound) || !strings.Contains(err.Error(), "virtmic") {
		t.Fatalf("err = %v, want ErrDeviceNotFound listing virtmic", err)
	}
	_, err = OpenSpeaker(context.Background(), SpeakerOptions{Device: "no-such-speaker"})
	if !errors.Is(err, ErrDeviceNotFound) || !strings.Contains(err.Error(), "spk") {
		t.Fatalf("err = %v, want ErrDeviceNotFound listing spk", err)
	}
}

// noPulseHelperEnv marks the child process of TestNoPulseAudio and says
// which case it runs: "named" (PULSE_SERVER names a dead socket) or
// "default" (no PULSE_SERVER, no server at the default socket).
const noPulseHelperEnv = "PARLEY_AUDIO_NO_PULSE_HELPER"

// TestNoPulseAudio runs the open attempts in a child process without a
// server, so that libasound's and libpulse's own writes to file descriptor
// 2 are captured too: there must be none. The errors must say what was
// tried and the fix.
func TestNoPulseAudio(t *testing.T) {
	if c := os.Getenv(noPulseHelperEnv); c != "" {
		noPulseChild(t, c)
		return
	}
	empty := t.TempDir()
	for name, env := range map[string][]string{
		"named":   {"PULSE_SERVER=unix:" + empty + "/none"},
		"default": {"PULSE_SERVER=", "PULSE_RUNTIME_PATH=" + empty, "XDG_RUNTIME_DIR=" + empty},
	} {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestNoPulseAudio$", "-test.v")
			cmd.Env = append(append(os.Environ(), noPulseHelperEnv+"="+name), env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("child failed: %v\n%s\n%s", err, stdout.String(), stderr.String())
			}
			if stderr.Len() > 0 {
				t.Fatalf("opening devices without PulseAudio wrote to stderr:\n%s", stderr.String())
			}
			t.Logf("child:\n%s", stdout.String())
		})
	}
}

func noPulseChild(t *testing.T, c string) {
	ctx := context.Background()
	if _, err := ListBackendDevices(ctx, "pulseaudio"); !errors.Is(err, ErrNoBackend) {
		t.Fatalf("pulseaudio backend: err = %v, want ErrNoBackend", err)
	}
	d, err := ListDevices(ctx)
	if c == "named" && err == nil {
		t.Fatalf("with PULSE_SERVER set and dead, ListDevices fell back to %s", d.Backend)
	}
	m, err := OpenMic(ctx, MicOptions{})
	if err == nil {
		m.Close()
		t.Skip("a capture device opened without PulseAudio (real ALSA hardware)")
	}
	t.Logf("OpenMic: %v", err)
	want := []string{"tried PulseAudio at unix:", ": refused: the socket does not exist", "Fix: start"}
	if c == "named" {
		want = append(want, "no other backend was tried")
	} else if _, serr := os.Stat("/proc/asound/cards"); serr != nil {
		want = append(want, "ALSA: no sound card")
	}
	for _, w := range want {
		if !errors.Is(err, ErrOpenDevice) || !strings.Contains(err.Error(), w) {
			t.Fatalf("err = %v; want ErrOpenDevice saying %q", err, w)
		}
	}
	if _, err := OpenSpeaker(ctx, SpeakerOptions{}); !errors.Is(err, ErrOpenDevice) {
		t.Fatalf("OpenSpeaker: err = %v, want ErrOpenDevice", err)
	}
}

// TestServerThatFailsAfterConnecting points PULSE_SERVER at a socket that
// accepts and hangs up: the error must say the server was reached.
func TestServerThatFailsAfterConnecting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "native")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	t.Setenv("PULSE_SERVER", "unix:"+path)
	_, err = OpenMic(context.Background(), MicOptions{})
	if !errors.Is(err, ErrOpenDevice) || !strings.Contains(err.Error(), "PulseAudio at unix:"+path+": connected, then failed") {
		t.Fatalf("err = %v; want it to say the server at %s was reached, then failed", err, path)
	}
}
