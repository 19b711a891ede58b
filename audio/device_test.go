package audio

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
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

// noPulseHelperEnv marks the child process of TestNoPulseAudio.
const noPulseHelperEnv = "PARLEY_AUDIO_NO_PULSE_HELPER"

// TestNoPulseAudio runs the open attempts in a child process whose
// PULSE_SERVER points nowhere, so that libasound's and libpulse's own writes
// to file descriptor 2 are captured too: there must be none.
func TestNoPulseAudio(t *testing.T) {
	if os.Getenv(noPulseHelperEnv) == "1" {
		noPulseChild(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoPulseAudio$", "-test.v")
	cmd.Env = append(os.Environ(), noPulseHelperEnv+"=1", "PULSE_SERVER=unix:"+t.TempDir()+"/none")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("child failed: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	if stderr.Len() > 0 {
		t.Fatalf("opening devices without PulseAudio wrote to stderr:\n%s", stderr.String())
	}
	t.Logf("child:\n%s", stdout.String())
}

func noPulseChild(t *testing.T) {
	ctx := context.Background()
	if d, err := ListDevices(ctx); err == nil && d.Backend == "pulseaudio" {
		t.Fatal("PulseAudio answered at a socket that does not exist")
	}
	if _, err := ListBackendDevices(ctx, "pulseaudio"); !errors.Is(err, ErrNoBackend) {
		t.Fatalf("pulseaudio backend: err = %v, want ErrNoBackend", err)
	}
	m, err := OpenMic(ctx, MicOptions{})
	if err == nil {
		m.Close()
		t.Skip("a capture device opened without PulseAudio (real ALSA hardware)")
	}
	if !errors.Is(err, ErrOpenDevice) || !strings.Contains(err.Error(), "no PulseAudio server answered") {
		t.Fatalf("err = %v, want ErrOpenDevice saying PulseAudio did not answer", err)
	}
	t.Logf("OpenMic: %v", err)
	if _, err := OpenSpeaker(ctx, SpeakerOptions{}); !errors.Is(err, ErrOpenDevice) {
		t.Fatalf("OpenSpeaker: err = %v, want ErrOpenDevice", err)
	}
}
