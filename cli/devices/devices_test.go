package devices

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"parley/cli"
	"parley/internal/testenv"
)

// TestDevicesListsTheVirtualDevices lists the private PulseAudio's
// virtual microphone and speaker.
func TestDevicesListsTheVirtualDevices(t *testing.T) {
	testenv.Pulse(t)
	var stdout bytes.Buffer
	if err := Run(context.Background(), nil, &stdout, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Audio backend: pulseaudio", "Capture (--input-device", "Playback (--output-device", "virtmic", "spk"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("list lacks %q:\n%s", want, stdout.String())
		}
	}
	if err := Run(context.Background(), []string{"stray"}, &stdout, &bytes.Buffer{}); !errors.Is(err, cli.ErrUsage) {
		t.Errorf("stray argument: %v", err)
	}
}
