package asr_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"parley/internal/testenv"
	"parley/pipeline/asr"
)

// newDecoder starts a pocketsphinx engine on Debian's en-us model, logging
// to a file in the test's temp dir. A missing model skips the test, or
// fails it under PARLEY_REQUIRE_AUDIO=1.
func newDecoder(t testing.TB) *asr.Pocketsphinx {
	t.Helper()
	for _, p := range []string{asr.DefaultPocketsphinxModelDir, asr.DefaultPocketsphinxDict, asr.DefaultPocketsphinxLM} {
		if _, err := os.Stat(p); err != nil {
			if testenv.Required() {
				t.Fatalf("missing pocketsphinx-en-us: %s", p)
			}
			t.Skipf("missing pocketsphinx-en-us: %s", p)
		}
	}
	opts := asr.PocketsphinxOptions{LogFile: filepath.Join(t.TempDir(), "pocketsphinx.log")}
	p, err := asr.NewPocketsphinx(context.Background(), opts)
	if err != nil {
		t.Fatalf("NewPocketsphinx: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// decoded is the outcome of one utterance fed in chunks.
type decoded struct {
	text     string
	partials int // chunks after which Partial was non-empty
	audio    float64
	elapsed  time.Duration
}

// decodeChunks feeds samples in chunks of chunk samples, asking for a
// partial after each, and finishes the utterance.
func decodeChunks(t testing.TB, e asr.Engine, samples []float32, chunk int) decoded {
	t.Helper()
	d, err := decode(context.Background(), e, samples, chunk)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// decode is decodeChunks for goroutines other than the test's.
func decode(ctx context.Context, e asr.Engine, samples []float32, chunk int) (decoded, error) {
	start := time.Now()
	s, err := e.NewStream(ctx)
	if err != nil {
		return decoded{}, fmt.Errorf("NewStream: %w", err)
	}
	defer s.Close()
	var d decoded
	for off := 0; off < len(samples); off += chunk {
		if err := s.Accept(ctx, samples[off:min(off+chunk, len(samples))]); err != nil {
			return d, fmt.Errorf("Accept: %w", err)
		}
		p, err := s.Partial(ctx)
		if err != nil {
			return d, fmt.Errorf("Partial: %w", err)
		}
		if p != "" {
			d.partials++
		}
	}
	res, err := s.Finish(ctx)
	if err != nil {
		return d, fmt.Errorf("Finish: %w", err)
	}
	d.text, d.audio, d.elapsed = res.Text, res.AudioSeconds, time.Since(start)
	return d, nil
}

// readWAV16 reads a mono 16-bit PCM WAV file and returns its samples in
// [-1, 1] and its rate.
func readWAV16(t testing.TB, path string) ([]float32, int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		t.Fatalf("%s: not a WAV file", path)
	}
	rate, data, err := wavChunks(b[12:])
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return pcm16(data), rate
}

// wavChunks walks RIFF chunks for the format's rate and the data.
func wavChunks(b []byte) (rate int, data []byte, err error) {
	for len(b) >= 8 {
		id, size := string(b[:4]), int(binary.LittleEndian.Uint32(b[4:8]))
		body := b[8:min(8+size, len(b))]
		switch id {
		case "fmt ":
			if len(body) < 16 || binary.LittleEndian.Uint16(body[2:4]) != 1 || binary.LittleEndian.Uint16(body[14:16]) != 16 {
				return 0, nil, errors.New("want mono 16-bit PCM")
			}
			rate = int(binary.LittleEndian.Uint32(body[4:8]))
		case "data":
			return rate, body, nil
		}
		b = b[min(8+size+size%2, len(b)):]
	}
	return 0, nil, errors.New("no data chunk")
}

// readRaw16 reads headerless 16-bit little-endian PCM.
func readRaw16(t testing.TB, path string) []float32 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return pcm16(b)
}

func pcm16(b []byte) []float32 {
	out := make([]float32, len(b)/2)
	for i := range out {
		out[i] = float32(int16(binary.LittleEndian.Uint16(b[2*i:]))) / 32768
	}
	return out
}

// resample converts samples from rate `from` to rate `to` by linear
// interpolation; enough for test audio that is already band-limited.
func resample(samples []float32, from, to int) []float32 {
	if from == to || len(samples) == 0 {
		return samples
	}
	n := int(int64(len(samples)) * int64(to) / int64(from))
	out := make([]float32, n)
	step := float64(from) / float64(to)
	for i := range out {
		x := float64(i) * step
		j := int(x)
		if j+1 >= len(samples) {
			out[i] = samples[len(samples)-1]
			continue
		}
		frac := float32(x - float64(j))
		out[i] = samples[j]*(1-frac) + samples[j+1]*frac
	}
	return out
}

func TestResample(t *testing.T) {
	in := []float32{0, 1, 0, -1}
	if got := resample(in, 8000, 16000); len(got) != 8 || got[1] != 0.5 || got[2] != 1 {
		t.Errorf("upsample = %v", got)
	}
	if got := resample(in, 16000, 8000); len(got) != 2 || got[1] != 0 {
		t.Errorf("downsample = %v", got)
	}
}
