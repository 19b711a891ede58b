package audio

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestProbe opens both devices of a private server briefly and reports
// the server, the backend and the latency the buffers add.
func TestProbe(t *testing.T) {
	srv := ownServer(t)
	t.Setenv("SSH_CONNECTION", "")
	r, err := Probe(longCtx(t), ProbeOptions{InputDevice: "virtmic", OutputDevice: "spk"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", r)
	if r.Server.Address != srv.Address || r.Server.Host() != "local" || !r.Server.Named {
		t.Errorf("server %+v, want %s, local, named", r.Server, srv.Address)
	}
	for _, d := range []DeviceProbe{r.Capture, r.Playback} {
		if d.Backend != "pulseaudio" || d.Period <= 0 || d.Delay < d.Period {
			t.Errorf("device %+v: want pulseaudio with a period and a delay of at least one period", d)
		}
	}
	if !strings.HasPrefix(r.SharedMemory, "off") {
		t.Errorf("shared memory %q with PULSE_SERVER set, want off", r.SharedMemory)
	}
}

// TestProbeNamesTheFailure probes with no server: the report and the error
// say what failed, and nothing falls back to ALSA behind PULSE_SERVER.
func TestProbeNamesTheFailure(t *testing.T) {
	t.Setenv("PULSE_SERVER", "unix:"+t.TempDir()+"/none")
	r, err := Probe(context.Background(), ProbeOptions{})
	if !errors.Is(err, ErrOpenDevice) || r.Capture.Err == nil || r.Playback.Err == nil {
		t.Fatalf("err = %v, report %+v; want both devices failing", err, r)
	}
	if !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), "no other backend was tried") {
		t.Fatalf("err = %v; want it to say the server refused and nothing else was tried", err)
	}
}

// TestSpeakerFallsBackToNull: with no sound server a speaker that cannot
// open becomes the null device, with a notice, and still plays in real
// time.
func TestSpeakerFallsBackToNull(t *testing.T) {
	t.Setenv("PULSE_SERVER", "unix:"+t.TempDir()+"/none")
	ctx := longCtx(t)
	sp, notice, err := OpenSpeakerOrNull(ctx, SpeakerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	t.Logf("notice: %s", notice)
	if sp.Backend() != "null" || !strings.Contains(notice, "null device") || !strings.Contains(notice, "refused") {
		t.Fatalf("backend %s, notice %q; want null and a notice naming the failure", sp.Backend(), notice)
	}
	start := time.Now()
	pb, err := sp.Play(ctx, make([]float32, SampleRate/2), SampleRate)
	if err != nil {
		t.Fatal(err)
	}
	if err := pb.Wait(ctx); err != nil || pb.Flushed() {
		t.Fatalf("null playback: %v, flushed %v", err, pb.Flushed())
	}
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Fatalf("500 ms of audio played in %v: the null device must take real time", took)
	}
	if _, _, err := OpenSpeakerOrNull(ctx, SpeakerOptions{SampleRate: -1}); !errors.Is(err, ErrInvalidOptions) {
		t.Fatalf("invalid options: err = %v, want ErrInvalidOptions (no fallback)", err)
	}
}
