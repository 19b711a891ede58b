package app

import (
	"context"
	"testing"
	"time"

	"parley/internal/testenv"
)

// TestAudioLatencyReachesTheDevices opens the audio ends with audio.latency
// set: both devices run at that period, and AddedLatency reports it per
// direction, behind the echo canceller too.
func TestAudioLatencyReachesTheDevices(t *testing.T) {
	testenv.Pulse(t)
	cfg := testenv.Config(t).Audio
	cfg.Latency = "250ms"
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := OpenAudio(ctx, cfg, Options{InputDevice: "virtmic", OutputDevice: "spk"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Echo == nil {
		t.Fatal("the default config has no echo canceller")
	}
	want := 250 * time.Millisecond
	var got AddedLatency
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got = a.AddedLatency(); got.Measured {
			break
		}
	}
	if got.Capture != want || got.Playback != want || got.Path != "device buffers (pulseaudio)" {
		t.Errorf("added latency %+v with audio.latency = 250ms, want 250ms both ways on the device buffers", got)
	}
}

// TestProbeLatency: doctor's brief open of the devices reports what their
// buffers add in the same terms as a running conversation.
func TestProbeLatency(t *testing.T) {
	testenv.Pulse(t)
	cfg := testenv.Config(t).Audio
	cfg.Latency, cfg.InputDevice, cfg.OutputDevice = "250ms", "virtmic", "spk"
	got, rep, err := ProbeLatency(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := 250 * time.Millisecond
	if !got.Measured || got.Capture != want || got.Playback != want || got.Path != "device buffers (pulseaudio)" || rep.Capture.Period != want {
		t.Errorf("probe %+v (report %+v), want 250ms both ways on the device buffers", got, rep)
	}
	cfg.Latency = "1h"
	if _, _, err := ProbeLatency(context.Background(), cfg); err == nil {
		t.Error("audio.latency = 1h was accepted")
	}
}
