package echo

import (
	"context"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"parley/audio"
	"parley/audio/internal/ring"
)

// simRoom simulates a 48 kHz speaker and a 16 kHz microphone on one clock,
// with callbacks that run late by random amounts, so that alignment can be
// tested without devices. The speaker hands 18.75 ms chunks simBuffer
// before they play; the room echoes them simDelay later at half level.
type simRoom struct {
	t0      time.Time
	ref     *EchoReference
	played  []float32 // at 48 kHz
	handed  int       // speaker chunks handed so far
	capture []float32 // what the microphone hears, at SampleRate
	pos     int
	clock   ring.Clock
	rng     *rand.Rand
}

const (
	simRate   = 48000
	simChunk  = 900 // 18.75 ms
	simBuffer = 50 * time.Millisecond
	simDelay  = 40 * time.Millisecond
	simMic    = 400 // 25 ms callbacks
)

func newSimRoom(t testing.TB, far []float32) *simRoom {
	t.Helper()
	played, err := audio.Resample(far, audio.SampleRate, simRate)
	if err != nil {
		t.Fatal(err)
	}
	r := &simRoom{t0: time.Now(), ref: NewEchoReference(EchoReferenceOptions{}), played: played, rng: rand.New(rand.NewPCG(1, 2))}
	r.ref.Attach(simRate)
	r.capture = echoOf(far, simBuffer+simDelay, 0.5)
	return r
}

// jitter is how late a callback runs: usually a little, sometimes 10 ms.
func (r *simRoom) jitter() time.Duration {
	if r.rng.IntN(20) == 0 {
		return 10 * time.Millisecond
	}
	return time.Duration(r.rng.IntN(2000)) * time.Microsecond
}

// runSpeaker hands every chunk due by time now (relative to t0).
func (r *simRoom) runSpeaker(now time.Duration) {
	for {
		due := time.Duration(r.handed) * simChunk * time.Second / simRate
		if due > now {
			return
		}
		chunk := make([]float32, simChunk)
		if from := r.handed * simChunk; from < len(r.played) {
			copy(chunk, r.played[from:])
		}
		r.ref.Push(chunk, r.t0.Add(due+r.jitter()))
		r.handed++
	}
}

// Read implements Source: one microphone callback.
func (r *simRoom) Read(_ context.Context, p []float32) (int, error) {
	if r.pos >= len(r.capture) {
		return 0, io.EOF
	}
	n := min(len(p), simMic, len(r.capture)-r.pos)
	end := time.Duration(r.pos+n) * time.Second / audio.SampleRate
	r.runSpeaker(end)
	copy(p, r.capture[r.pos:r.pos+n])
	r.pos += n
	r.clock.Mark(uint64(r.pos), r.t0.Add(end+r.jitter()))
	return n, nil
}

func (r *simRoom) Close() error { return nil }

func (r *simRoom) CaptureMark() (uint64, int64, bool) {
	return r.clock.Read()
}

func (r *simRoom) NextIndex() uint64 { return uint64(r.pos) }

// TestEchoCancelledSourceAligns runs the whole chain on a simulated room
// with jittery callbacks and a 48 kHz speaker: the reference must be lined
// up without moves or gaps, and the echo must drop by 10 dB or more.
func TestEchoCancelledSourceAligns(t *testing.T) {
	far := fliteVoice(t, "slt", farText)
	room := newSimRoom(t, far)
	src := cancelledSource(t, room, room.ref, EchoOptions{ResidualSuppression: true})
	var raw, ref, out []float32
	src.tap = func(c, r, o []float32) {
		raw, ref, out = append(raw, c...), append(ref, r...), append(out, o...)
	}
	p := make([]float32, 512)
	for {
		if _, err := src.Read(context.Background(), p); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			break
		}
	}
	delay, c := echoDelay(ref[audio.SampleRate:3*audio.SampleRate], raw[audio.SampleRate:3*audio.SampleRate])
	from := 2 * audio.SampleRate
	erle := 10 * math.Log10(energy(raw[from:])/energy(out[from:]))
	st := src.Stats()
	t.Logf("echo %v after its aligned reference (correlation %.2f); ERLE %.1f dB; stats %+v", delay, c, erle, st)
	if st.Moves != 0 || st.Missing != 0 || erle < 10 {
		t.Errorf("moves %d, missing %d, ERLE %.1f dB; want 0, 0, >= 10", st.Moves, st.Missing, erle)
	}
	// The estimate removes one playback period (what the chunk's own mark
	// is ahead of real time); the device buffer and the room remain.
	if want := simBuffer + simDelay; delay < want-5*time.Millisecond || delay > want+5*time.Millisecond {
		t.Errorf("echo %v after the reference, want %v ± 5 ms", delay, want)
	}
}

// TestWindowExtreme checks the sliding maximum and minimum.
func TestWindowExtreme(t *testing.T) {
	hi, lo := windowExtreme{sign: 1}, windowExtreme{sign: -1}
	for i := range 3 * echoPhaseWindow {
		v := float64(i % 7)
		if i == 10 {
			v = 100 // an outlier, forgotten after two windows
		}
		hi.observe(v)
		lo.observe(v)
		if i == echoPhaseWindow && hi.value() != 100 {
			t.Errorf("max after one window %v, want 100", hi.value())
		}
	}
	if hi.value() != 6 || lo.value() != 0 {
		t.Errorf("max %v, min %v; want 6, 0", hi.value(), lo.value())
	}
}

// TestEchoCancelledSourceErrors checks the constructor and Close.
func TestEchoCancelledSourceErrors(t *testing.T) {
	aec, err := NewEchoCanceller(EchoOptions{SampleRate: 8000})
	if err != nil {
		t.Fatal(err)
	}
	defer aec.Close()
	if _, err := NewEchoCancelledSource(audio.NewFileSource(nil, audio.FileOptions{}), NewEchoReference(EchoReferenceOptions{}), aec); !errors.Is(err, audio.ErrInvalidOptions) {
		t.Errorf("8 kHz canceller: err %v, want audio.ErrInvalidOptions", err)
	}
	if _, err := NewEchoCancelledSource(nil, nil, aec); !errors.Is(err, audio.ErrInvalidOptions) {
		t.Errorf("nil source: err %v, want audio.ErrInvalidOptions", err)
	}
	aec16, err := NewEchoCanceller(EchoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	src, err := NewEchoCancelledSource(audio.NewFileSource(make([]float32, 1000), audio.FileOptions{}), NewEchoReference(EchoReferenceOptions{}), aec16)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Read(context.Background(), make([]float32, 10)); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("Read after Close: err %v, want audio.ErrClosed", err)
	}
}

// BenchmarkEchoCancelledSource measures the whole reader side per 10 ms
// frame: draining and resampling a 48 kHz reference, alignment, cancelling
// with residual suppression.
func BenchmarkEchoCancelledSource(b *testing.B) {
	far := fliteVoice(b, "slt", farText)
	var frames uint64
	p := make([]float32, 512)
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		room := newSimRoom(b, far)
		aec, err := NewEchoCanceller(EchoOptions{ResidualSuppression: true})
		if err != nil {
			b.Fatal(err)
		}
		src, err := NewEchoCancelledSource(room, room.ref, aec)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for {
			if _, err := src.Read(context.Background(), p); err != nil {
				break
			}
		}
		frames += src.Stats().Frames
		_ = src.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(frames), "ns/frame")
}
