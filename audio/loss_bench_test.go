package audio

import (
	"context"
	"strings"
	"testing"
	"time"

	"parley/audio/internal/audiotest"
	"parley/internal/testenv"
)

// BenchmarkLossDetection kills or stalls (SIGSTOP) a private server under
// an open microphone and reports how long Read took to return
// ErrDeviceLost (the target: 2 s).
func BenchmarkLossDetection(b *testing.B) {
	for name, fault := range serverFaults() {
		b.Run(name, func(b *testing.B) {
			measureFault(b, fault, "detect_ms", func(mic *Mic, _ *Speaker) {
				p := make([]float32, FrameSize)
				for {
					if _, err := mic.Read(context.Background(), p); err != nil {
						return
					}
				}
			})
		})
	}
}

// BenchmarkCloseOnLostServer closes a microphone and a speaker right after
// their server was killed or stalled (before the loss is noticed) and
// reports how long the two Close calls took together (each abandons its
// device after DefaultCloseTimeout).
func BenchmarkCloseOnLostServer(b *testing.B) {
	for name, fault := range serverFaults() {
		b.Run(name, func(b *testing.B) {
			measureFault(b, fault, "close_ms", func(mic *Mic, sp *Speaker) { _, _ = mic.Close(), sp.Close() })
		})
	}
}

// measureFault times op right after fault, once per iteration on a server
// of its own, and reports the mean as metric; the devices are closed after.
func measureFault(b *testing.B, fault func(*testenv.PulseServer), metric string, op func(*Mic, *Speaker)) {
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		_, mic, sp := faulted(b, fault)
		b.StartTimer()
		start := time.Now()
		op(mic, sp)
		total += time.Since(start)
		b.StopTimer()
		_, _ = mic.Close(), sp.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), metric)
}

// BenchmarkPlayOverRelay plays 5 s through a relay that delays each
// direction by 50 ms (a 100 ms round trip, like a laptop's PulseAudio
// over SSH) and reports how long the sound took to come out of the
// server's speaker (recorded there, first to last loud 10 ms) over its
// length, for 25 ms periods and for auto in an SSH session (the remote
// periods); then it captures 5 s and reports how much audio arrived per
// second of wall time.
func BenchmarkPlayOverRelay(b *testing.B) {
	for _, tc := range []struct {
		name string
		lat  Latency
	}{{"period_25ms", Latency{Period: 25 * time.Millisecond}}, {"auto_remote", Latency{}}} {
		b.Run(tc.name, func(b *testing.B) {
			srv := ownServer(b)
			relay := testenv.Relay(b, strings.TrimPrefix(srv.Address, "unix:"), 50*time.Millisecond)
			b.Setenv("SSH_CONNECTION", "10.0.0.2 5000 10.0.0.1 22")
			for b.Loop() {
				b.Setenv("PULSE_SERVER", srv.Address) // the recorder listens at the server
				rec := startRecorder(b)
				b.Setenv("PULSE_SERVER", "unix:"+relay)
				play, capture := playAndCapture(b, tc.lat, 5*time.Second)
				first, last := audiotest.ActiveSpan(rec.stop(), SampleRate/100, 0.1)
				b.ReportMetric(float64(last-first)/float64(samplesOf(play)), "heard/length")
				b.ReportMetric(capture, "capture/realtime")
			}
		})
	}
}

// playAndCapture plays d of a tone and waits until it has played, then
// captures for d and returns the audio delivered over d.
func playAndCapture(b *testing.B, lat Latency, d time.Duration) (time.Duration, float64) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*d)
	defer cancel()
	sp, err := OpenSpeaker(ctx, SpeakerOptions{Device: "spk", Latency: lat})
	if err != nil {
		b.Fatal(err)
	}
	defer sp.Close()
	if _, err := sp.Play(ctx, sine(440, SampleRate, samplesOf(d), 0.5), SampleRate); err != nil {
		b.Fatal(err)
	}
	if err := sp.Drain(ctx); err != nil {
		b.Fatal(err)
	}
	time.Sleep(time.Second) // the server's own buffers
	mic, err := OpenMic(ctx, MicOptions{Device: "virtmic", Latency: lat})
	if err != nil {
		b.Fatal(err)
	}
	defer mic.Close()
	got := readFor(b, ctx, mic, d)
	return d, float64(len(got)) / float64(samplesOf(d))
}
