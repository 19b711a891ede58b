package audio

import (
	"context"
	"encoding/binary"
	"io"
	"math"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"parley/audio/internal/audiotest"
	"parley/internal/testenv"
)

// recorder captures spk.monitor with parec while a test plays.
type recorder struct {
	cmd     *exec.Cmd
	mu      sync.Mutex
	samples []float32
	started time.Time // when parec was started
	done    chan struct{}
}

func startRecorder(t testing.TB) *recorder {
	t.Helper()
	parec := testenv.Command(t, "parec")
	cmd := exec.Command(parec, "--latency-msec=20", "-d", "spk.monitor",
		"--rate=16000", "--channels=1", "--format=s16le", "--raw")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{cmd: cmd, done: make(chan struct{}), started: time.Now()}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go r.collect(out)
	t.Cleanup(func() { r.stop() })
	r.waitQuiet(t)
	return r
}

// quietRun is how much continuous silence a fresh recording must show before
// a test plays: PulseAudio's null-sink monitors replay audio of streams
// already gone in a burst when a new record stream connects.
const quietRun = 300 * time.Millisecond

// waitQuiet waits until the recording ends in quietRun of silence.
func (r *recorder) waitQuiet(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r.mu.Lock()
		quiet := trailingQuiet(r.samples)
		r.mu.Unlock()
		if quiet >= samplesOf(quietRun) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("spk.monitor not quiet for %v within 5 s", quietRun)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// trailingQuiet returns how many samples at the end of x are below -50 dBFS.
func trailingQuiet(x []float32) int {
	n := 0
	for i := len(x) - 1; i >= 0 && math.Abs(float64(x[i])) < 0.003; i-- {
		n++
	}
	return n
}

func (r *recorder) collect(out io.Reader) {
	defer close(r.done)
	b := make([]byte, 640)
	for {
		n, err := io.ReadFull(out, b)
		r.mu.Lock()
		for i := 0; i+1 < n; i += 2 {
			r.samples = append(r.samples, float32(int16(binary.LittleEndian.Uint16(b[i:])))/32768)
		}
		r.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.samples)
}

func (r *recorder) stop() []float32 {
	if r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
	}
	<-r.done
	_ = r.cmd.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]float32(nil), r.samples...)
}

// chirpSlope is how fast a test chirp's frequency rises, in Hz per second.
const chirpSlope = 2000

// chirp returns a sweep from base Hz rising by chirpSlope Hz/s: its
// instantaneous frequency tells which moment of the sound a recording holds,
// however PulseAudio's monitor reorders or repeats blocks around rewinds
// (it also replays a closed stream's audio late, so tests use distinct bases).
func chirp(rate int, d time.Duration, base float64, amp float32) []float32 {
	out := make([]float32, int(d*time.Duration(rate)/time.Second))
	phase := 0.0
	for i := range out {
		f := base + chirpSlope*float64(i)/float64(rate)
		phase += 2 * math.Pi * f / float64(rate)
		out[i] = amp * float32(math.Sin(phase))
	}
	return out
}

// chirpTimes estimates, for each loud 20 ms block of a recording, the
// position in the chirp from base Hz it came from (by counting zero
// crossings); blocks below base belong to another sound and are skipped.
func chirpTimes(x []float32, base float64) []time.Duration {
	const block = SampleRate / 50
	var out []time.Duration
	for i := 0; i+block <= len(x); i += block {
		b := x[i : i+block]
		if RMS(b) < 0.05 {
			continue
		}
		zc := 0
		for j := 1; j < len(b); j++ {
			if (b[j-1] < 0) != (b[j] < 0) {
				zc++
			}
		}
		f := float64(zc) / 2 * 50
		if f < base-50 {
			continue
		}
		out = append(out, time.Duration((f-base)/chirpSlope*float64(time.Second)))
	}
	return out
}

// envelope is x's level in dB per FrameSize frame.
func envelope(x []float32) []float64 {
	return audiotest.Envelope(x, FrameSize, func(f []float32) float64 { return LevelDB(RMS(f)) })
}

// fliteWAV synthesises text with flite's slt voice into a temporary WAV.
func fliteWAV(t *testing.T, text string) string {
	t.Helper()
	flite := testenv.Command(t, "flite")
	path := filepath.Join(t.TempDir(), "speech.wav")
	if out, err := exec.Command(flite, "-voice", "slt", "-t", text, "-o", path).CombinedOutput(); err != nil {
		t.Fatalf("flite: %v: %s", err, out)
	}
	return path
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}
