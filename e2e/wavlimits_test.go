package e2e

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"parley/internal/testenv"
)

// memoryLimit is the address space parley gets in these tests (prlimit
// --as): room for ONNX Runtime, pocketsphinx and the audio threads (about
// 2 GB of address space on this machine), but not for a file decoded whole.
const memoryLimit = "3221225472" // 3 GiB (prlimit takes bytes)

// wavHeader writes a canonical 44-byte PCM WAV header that claims rate,
// channels and a data chunk of dataSize bytes, then payload bytes of
// silence, and returns the file. A payload far beyond what is written
// makes a sparse file: hours of silence that take no disk.
func wavHeader(t *testing.T, name string, rate uint32, channels uint16, dataSize uint32, payload int64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	h := make([]byte, 44)
	copy(h, "RIFF")
	binary.LittleEndian.PutUint32(h[4:], 36+dataSize)
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1) // PCM
	binary.LittleEndian.PutUint16(h[22:], channels)
	binary.LittleEndian.PutUint32(h[24:], rate)
	binary.LittleEndian.PutUint32(h[28:], rate*uint32(channels)*2)
	binary.LittleEndian.PutUint16(h[32:], channels*2)
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], dataSize)
	if err := os.WriteFile(path, h, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 44+payload); err != nil {
		t.Fatal(err)
	}
	return path
}

// silence returns a sparse 16 kHz mono WAV of d of silence.
func silence(t *testing.T, name string, d time.Duration) string {
	t.Helper()
	size := int64(d.Seconds()) * 16000 * 2
	return wavHeader(t, name, 16000, 1, uint32(size), size)
}

// limited runs parley under prlimit --as=memoryLimit and returns it ended,
// with its exit status and peak resident memory in MB.
func limited(t *testing.T, args ...string) (p *proc, err error, peakMB float64) {
	t.Helper()
	env, home := isolatedEnv(t)
	p = startProgram(t, env, home, testenv.Command(t, "prlimit"), append([]string{"--as=" + memoryLimit, parleyBin}, args...)...)
	err = p.wait(t, 120*time.Second)
	if ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		peakMB = float64(ru.Maxrss) / 1024
	}
	return p, err, peakMB
}

// wavCommands are the two ways a file reaches parley: --input and
// transcribe. The energy VAD keeps an hour of audio to seconds of work.
func wavCommands(t *testing.T) map[string]func(file string) []string {
	cfg := writeConfig(t, "[vad]\nengine = \"energy\"\n[llm]\nengine = \"offline\"\n")
	return map[string]func(string) []string{
		"input":      func(f string) []string { return []string{"--headless", "--config", cfg, "--fast", "--input", f} },
		"transcribe": func(f string) []string { return []string{"transcribe", "--config", cfg, f} },
	}
}

// TestHostileWAVHeaders: headers that claim absurd rates, channel counts
// or sizes are refused at once, naming the file and what is wrong, under a
// memory limit, by --input and transcribe alike.
func TestHostileWAVHeaders(t *testing.T) {
	testenv.Pulse(t)
	cases := []struct {
		name string
		file string
		want string
	}{
		{"4 GHz", wavHeader(t, "fast.wav", 4_000_000_000, 1, 20000, 20000), "rate"},
		{"1 Hz", wavHeader(t, "slow.wav", 1, 1, 20000, 20000), "rate"},
		{"65535 channels", wavHeader(t, "wide.wav", 16000, 65535, 20000, 20000), "channels"},
		{"4 GB of data in 20 KB", wavHeader(t, "huge.wav", 16000, 1, 0xFFFFFF00, 20000), "huge.wav"},
	}
	for cmd, args := range wavCommands(t) {
		for _, tc := range cases {
			t.Run(cmd+"/"+tc.name, func(t *testing.T) {
				began := time.Now()
				p, err, peak := limited(t, args(tc.file)...)
				stderr := p.stderr.String()
				t.Logf("%s: %v in %.1f s, peak RSS %.0f MB", tc.name, err, time.Since(began).Seconds(), peak)
				if err == nil || !strings.Contains(stderr, filepath.Base(tc.file)) || !strings.Contains(stderr, tc.want) {
					t.Errorf("exit %v, stderr %q: want a refusal naming %s and %q", err, stderr, filepath.Base(tc.file), tc.want)
				}
				if strings.Contains(stderr, "out of memory") || strings.Contains(stderr, "goroutine ") {
					t.Errorf("crashed:\n%s", stderr)
				}
			})
		}
	}
}

// TestLongFileMemoryIsFlat: three hours of audio take no more memory than
// one minute, by --input and transcribe, under a memory limit that a
// file decoded whole would pass.
func TestLongFileMemoryIsFlat(t *testing.T) {
	testenv.Pulse(t)
	minute, hours := silence(t, "minute.wav", time.Minute), silence(t, "hours.wav", 3*time.Hour)
	for cmd, args := range wavCommands(t) {
		t.Run(cmd, func(t *testing.T) {
			_, err, short := limited(t, args(minute)...)
			if err != nil {
				t.Fatalf("one minute: %v", err)
			}
			p, err, long := limited(t, args(hours)...)
			t.Logf("%s: peak RSS %.0f MB for 1 minute, %.0f MB for 3 hours", cmd, short, long)
			if err != nil {
				t.Fatalf("three hours: %v\n%s", err, p.stderr.String())
			}
			if long-short > 50 {
				t.Errorf("peak RSS grew %.0f MB from 1 minute to 3 hours, want at most 50 MB", long-short)
			}
		})
	}
}
