package e2e

import (
	"encoding/binary"
	"io"
	"math"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// track records one PulseAudio monitor (16 kHz mono) and places every
// sample on the wall clock, so that what went into the virtual microphone
// and what came out of the virtual speaker can be compared on one time
// line. parec delivers 10 ms chunks with a small, varying delay; sample 0's
// time is the earliest that any chunk's arrival allows (arrival minus the
// audio up to its end), so both tracks carry the same smallest delivery
// delay and their difference is exact to about a chunk.
type track struct {
	cmd     *exec.Cmd
	done    chan struct{}
	mu      sync.Mutex
	samples []float32
	t0      time.Time
}

// trackChunk is 10 ms of 16-bit samples.
const trackChunk = 320

func recordTrack(t *testing.T, source string) *track {
	t.Helper()
	tr := &track{done: make(chan struct{})}
	var out io.Reader
	tr.cmd, out = startParec(t, nil, source, 10)
	go tr.read(out)
	t.Cleanup(func() { tr.stop() })
	return tr
}

func (tr *track) read(out io.Reader) {
	defer close(tr.done)
	buf := make([]byte, trackChunk)
	for {
		if _, err := io.ReadFull(out, buf); err != nil {
			return
		}
		now := time.Now()
		tr.mu.Lock()
		for i := 0; i < len(buf); i += 2 {
			tr.samples = append(tr.samples, float32(int16(binary.LittleEndian.Uint16(buf[i:])))/32768)
		}
		start := now.Add(-time.Duration(len(tr.samples)) * time.Second / 16000)
		if tr.t0.IsZero() || start.Before(tr.t0) {
			tr.t0 = start
		}
		tr.mu.Unlock()
	}
}

// stop ends the recording; it is safe to call twice.
func (tr *track) stop() {
	_ = tr.cmd.Process.Kill()
	<-tr.done
	_ = tr.cmd.Wait()
}

// loudBlocks returns the wall-clock start of every 10 ms block louder than
// -50 dBFS between from and to.
func (tr *track) loudBlocks(from, to time.Time) []time.Time {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	const block, quiet = 160, 0.00316 // 10 ms; -50 dBFS
	first := max(0, int(from.Sub(tr.t0).Seconds()*16000)/block*block)
	var out []time.Time
	for i := first; i+block <= len(tr.samples); i += block {
		at := tr.t0.Add(time.Duration(i) * time.Second / 16000)
		if at.After(to) {
			break
		}
		var sum float64
		for _, v := range tr.samples[i : i+block] {
			sum += float64(v) * float64(v)
		}
		if math.Sqrt(sum/block) > quiet {
			out = append(out, at)
		}
	}
	return out
}

// lastLoud returns the end of the last loud block between from and to.
func (tr *track) lastLoud(from, to time.Time) (time.Time, bool) {
	b := tr.loudBlocks(from, to)
	if len(b) == 0 {
		return time.Time{}, false
	}
	return b[len(b)-1].Add(10 * time.Millisecond), true
}

// firstLoud returns the start of the first loud block between from and to.
func (tr *track) firstLoud(from, to time.Time) (time.Time, bool) {
	b := tr.loudBlocks(from, to)
	if len(b) == 0 {
		return time.Time{}, false
	}
	return b[0], true
}
