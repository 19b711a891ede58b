package audio

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// Source delivers SampleRate mono samples in [-1, 1]: a microphone or a file.
type Source interface {
	// Read fills p with up to len(p) samples, blocking until at least one
	// is available, and returns how many it wrote. A file ends with io.EOF.
	Read(ctx context.Context, p []float32) (int, error)
	// Close releases the source; a blocked Read returns ErrClosed.
	Close() error
}

// filePace is the tick of a real-time FileSource. Why a Ticker and the wall
// clock rather than Sleep per Read: the amount released is computed from the
// time since the first Read, so scheduling delays never accumulate into drift
// (pion's play-from-disk does the same), and 20 ms keeps the burstiness below
// one VAD frame.
const filePace = 20 * time.Millisecond

// FileOptions tune a FileSource.
type FileOptions struct {
	// Fast delivers samples as fast as they are read instead of in real time.
	Fast bool
}

// FileSource plays decoded audio as a Source, paced in real time unless Fast.
type FileSource struct {
	samples []float32
	fast    bool

	mu     sync.Mutex
	pos    int
	start  time.Time // first Read; zero before
	ticker *time.Ticker
	closed chan struct{}
	once   sync.Once
}

// OpenFile reads a WAV file and returns it as a 16 kHz mono Source; errors
// name the file.
func OpenFile(path string, opts FileOptions) (*FileSource, error) {
	a, err := ReadWAV(path)
	if err != nil {
		return nil, err
	}
	mono, err := ToMono16k(a)
	if err != nil {
		return nil, fmt.Errorf("convert %s: %w", path, err)
	}
	return NewFileSource(mono, opts), nil
}

// NewFileSource returns a Source over samples already at SampleRate, mono.
func NewFileSource(samples []float32, opts FileOptions) *FileSource {
	return &FileSource{samples: samples, fast: opts.Fast, closed: make(chan struct{})}
}

// Len returns the total number of samples the source delivers.
func (f *FileSource) Len() int { return len(f.samples) }

// Read implements Source.
func (f *FileSource) Read(ctx context.Context, p []float32) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		if err := f.check(ctx); err != nil {
			return 0, err
		}
		if f.pos >= len(f.samples) {
			f.stopTicker()
			return 0, io.EOF
		}
		if n := f.take(p); n > 0 {
			return n, nil
		}
		if err := f.wait(ctx); err != nil {
			return 0, err
		}
	}
}

func (f *FileSource) check(ctx context.Context) error {
	select {
	case <-f.closed:
		return fmt.Errorf("file source: %w", ErrClosed)
	default:
		return ctx.Err()
	}
}

// take copies what real time (or Fast) allows into p.
func (f *FileSource) take(p []float32) int {
	limit := len(f.samples)
	if !f.fast {
		if f.start.IsZero() {
			f.start, f.ticker = time.Now(), time.NewTicker(filePace)
		}
		limit = min(limit, samplesOf(time.Since(f.start)))
	}
	n := copy(p, f.samples[f.pos:max(f.pos, limit)])
	f.pos += n
	return n
}

func (f *FileSource) wait(ctx context.Context) error {
	select {
	case <-f.ticker.C:
		return nil
	case <-f.closed:
		return fmt.Errorf("file source: %w", ErrClosed)
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *FileSource) stopTicker() {
	if f.ticker != nil {
		f.ticker.Stop()
	}
}

// Close implements Source.
func (f *FileSource) Close() error {
	f.once.Do(func() { close(f.closed) })
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopTicker()
	return nil
}
