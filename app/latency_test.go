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
		if got = a.AddedLatency(); got.In > 0 && got.Out > 0 {
			break
		}
	}
	if got.In != want || got.Out != want {
		t.Errorf("added latency %v with audio.latency = 250ms, want +250ms both ways", got)
	}
}

func TestAddedLatencyString(t *testing.T) {
	l := AddedLatency{In: 200 * time.Millisecond, Out: 18750 * time.Microsecond}
	if got, want := l.String(), "+200ms in, +19ms out"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
