package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestResampleStreamMatchesProcess feeds chunks of random sizes and checks
// that the stream's output is Process's on the whole input, sample for
// sample.
func TestResampleStreamMatchesProcess(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, r := range append(resampleRates, [2]int{16000, 16000}, [2]int{MaxRate, 16000}, [2]int{MinRate, 16000}) {
		t.Run(fmt.Sprintf("%d-%d", r[0], r[1]), func(t *testing.T) {
			in := sine(300, r[0], r[0]/3+7, 0.5)
			rs, err := NewResampler(r[0], r[1])
			if err != nil {
				t.Fatal(err)
			}
			want := rs.Process(in)
			s, got := rs.Stream(), []float32{}
			for rest := in; len(rest) > 0; {
				k := min(len(rest), 1+rng.IntN(3000))
				s.Write(rest[:k])
				rest = rest[k:]
				got = drain(s, got, 1+rng.IntN(700))
			}
			s.End()
			got = drain(s, got, 512)
			if len(got) != len(want) {
				t.Fatalf("stream made %d samples, Process %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("sample %d: stream %v, Process %v", i, got[i], want[i])
				}
			}
		})
	}
}

func drain(s *ResampleStream, out []float32, chunk int) []float32 {
	p := make([]float32, chunk)
	for {
		n := s.Read(p)
		if n == 0 {
			return out
		}
		out = append(out, p[:n]...)
	}
}

// TestHostileWAVHeaders refuses headers that would make parley allocate or
// compute without bound, naming the file and the value.
func TestHostileWAVHeaders(t *testing.T) {
	pcm := make([]byte, 20_000)
	tests := []struct {
		name string
		data []byte
		want error
		says string
	}{
		{"4 GHz", buildWAV(fmtChunk(1, 1, 4_000_000_000, 16), chunk("data", pcm)), ErrUnsupportedFormat, "4000000000 Hz"},
		{"1 Hz", buildWAV(fmtChunk(1, 1, 1, 16), chunk("data", pcm)), ErrUnsupportedFormat, "1 Hz"},
		{"999 Hz", buildWAV(fmtChunk(1, 1, 999, 16), chunk("data", pcm)), ErrUnsupportedFormat, "999 Hz"},
		{"384001 Hz", buildWAV(fmtChunk(1, 1, 384_001, 16), chunk("data", pcm)), ErrUnsupportedFormat, "384001 Hz"},
		{"65535 channels", buildWAV(fmtChunk(1, 65535, 16000, 16), chunk("data", pcm)), ErrBadHeader, "65535 channels"},
		{"4 GB of data in 20 KB", declareData(buildWAV(fmtChunk(1, 1, 16000, 16), chunk("data", pcm)), 0xFFFFFFF0), ErrTruncated, "4294967280 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "hostile.wav")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := OpenFile(path, FileOptions{Fast: true})
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("OpenFile: err = %v; want %v naming %s and %q", err, tc.want, path, tc.says)
			}
			if _, err := ReadWAV(path); !errors.Is(err, tc.want) {
				t.Fatalf("ReadWAV: err = %v, want %v", err, tc.want)
			}
		})
	}
}

// declareData rewrites the size of the WAV's last chunk (its data chunk,
// built by buildWAV with no chunk after it).
func declareData(wav []byte, size uint32) []byte {
	i := bytes.LastIndex(wav, []byte("data"))
	binary.LittleEndian.PutUint32(wav[i+4:], size)
	return wav
}

// TestDecodeWAVHostileSizeAllocatesLittle decodes a 20 KB stream whose
// header declares 4 GB: it must fail as truncated without reserving the
// declared size.
func TestDecodeWAVHostileSizeAllocatesLittle(t *testing.T) {
	data := declareData(buildWAV(fmtChunk(1, 1, 16000, 16), chunk("data", make([]byte, 20_000))), 0xFFFFFFF0)
	alloc := allocated(func() {
		if _, err := DecodeWAV(bytes.NewReader(data)); !errors.Is(err, ErrTruncated) {
			t.Fatalf("err = %v, want ErrTruncated", err)
		}
	})
	if alloc > 32<<20 {
		t.Fatalf("decoding 20 KB allocated %d MB", alloc>>20)
	}
}

// allocated returns how many bytes f allocated.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestOpenFileMemoryIndependentOfLength reads a minute of 48 kHz stereo
// through OpenFile: what it allocates must not grow with the file (the
// file alone is 11 MB, its decoded samples 46 MB).
func TestOpenFileMemoryIndependentOfLength(t *testing.T) {
	path := silentWAV(t, time.Minute, 48000, 2)
	var n int
	alloc := allocated(func() {
		src, err := OpenFile(path, FileOptions{Fast: true})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		p := make([]float32, FrameSize)
		for err == nil {
			var k int
			k, err = src.Read(t.Context(), p)
			n += k
		}
		if !errors.Is(err, io.EOF) || n != src.Len() {
			t.Fatalf("read %d of %d samples, err %v", n, src.Len(), err)
		}
	})
	t.Logf("a minute of 48 kHz stereo: %d samples at 16 kHz, %d KB allocated", n, alloc>>10)
	if n != 60*SampleRate {
		t.Fatalf("got %d samples, want %d", n, 60*SampleRate)
	}
	if alloc > 4<<20 {
		t.Fatalf("allocated %d MB to stream an 11 MB file", alloc>>20)
	}
}

// silentWAV writes d of 16-bit silence at rate and channels.
func silentWAV(t testing.TB, d time.Duration, rate, channels int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "silence.wav")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data := int(d.Seconds()*float64(rate)) * channels * 2
	hdr := buildWAV(fmtChunk(1, channels, rate, 16), chunk("data", nil))
	binary.LittleEndian.PutUint32(hdr[4:], uint32(len(hdr)-8+data))
	binary.LittleEndian.PutUint32(hdr[len(hdr)-4:], uint32(data))
	if _, err := f.Write(hdr); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(int64(len(hdr) + data)); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestStreamedFileMatchesWholeFile checks that the streaming path delivers
// what ReadWAV then ToMono16k deliver, for every fixture format.
func TestStreamedFileMatchesWholeFile(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.wav")
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			a, err := ReadWAV(file)
			if err != nil {
				t.Fatal(err)
			}
			want, err := ToMono16k(a)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ReadMono16k(file)
			if err != nil || len(got) != len(want) {
				t.Fatalf("streamed %d samples (err %v), whole file %d", len(got), err, len(want))
			}
			for i := range want {
				if d := got[i] - want[i]; d > 1e-6 || d < -1e-6 {
					t.Fatalf("sample %d: streamed %v, whole %v", i, got[i], want[i])
				}
			}
		})
	}
}

// TestWAVReaderPartialFrameAndTruncation covers a declared size that is
// not whole frames, and data that ends before its declared size.
func TestWAVReaderPartialFrameAndTruncation(t *testing.T) {
	stereo := []byte{0, 0x40, 0, 0xC0, 0, 0x20} // one frame and half a frame
	a := mustDecode(t, buildWAV(fmtChunk(1, 2, 16000, 16), chunk("data", stereo)))
	if len(a.Samples) != 2 {
		t.Fatalf("got %d samples, want the whole frame only", len(a.Samples))
	}
	short := declareData(buildWAV(fmtChunk(1, 1, 16000, 16), chunk("data", []byte{0, 0x40})), 100)
	w, err := NewWAVReader(bytes.NewReader(short))
	if err != nil {
		t.Fatal(err)
	}
	p := make([]float32, 10)
	n, err := w.Read(p)
	if n != 1 || p[0] != 0.5 || !errors.Is(err, ErrTruncated) {
		t.Fatalf("read %d samples (%v), err %v; want the one sample and ErrTruncated", n, p[:n], err)
	}
}

// rssHelperEnv names the WAV file that TestRSSHelper streams.
const rssHelperEnv = "PARLEY_AUDIO_RSS_WAV"

// TestRSSHelper is the child process of BenchmarkOpenFileHour: it reads
// the file through OpenFile, as `--input --fast` does, and exits.
func TestRSSHelper(t *testing.T) {
	path := os.Getenv(rssHelperEnv)
	if path == "" {
		t.Skip("the child process of BenchmarkOpenFileHour")
	}
	src, err := OpenFile(path, FileOptions{Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if err := firstReadErr(t.Context(), src, make([]float32, FrameSize)); !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
}

// BenchmarkOpenFileHour streams a 1-hour silent WAV (16 kHz mono, and
// 48 kHz stereo) in a child process and reports its peak RSS (the issue's
// target: <= 300 MB) and how long the read took.
func BenchmarkOpenFileHour(b *testing.B) {
	for _, f := range []struct{ rate, channels int }{{16000, 1}, {48000, 2}} {
		b.Run(fmt.Sprintf("%dHz_%dch", f.rate, f.channels), func(b *testing.B) {
			path := silentWAV(b, time.Hour, f.rate, f.channels)
			for b.Loop() {
				cmd := exec.Command(os.Args[0], "-test.run=^TestRSSHelper$")
				cmd.Env = append(os.Environ(), rssHelperEnv+"="+path)
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("child: %v\n%s", err, out)
				}
				rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB
				b.ReportMetric(float64(rss)/1024, "peakRSS_MiB")
			}
		})
	}
}
