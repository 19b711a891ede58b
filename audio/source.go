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

// FileSource plays audio as a Source, paced in real time unless Fast. It
// pulls samples from its reader only as they are due, so a file is read a
// chunk at a time however long it is.
type FileSource struct {
	r     sampleReader
	total int
	fast  bool
	// closeReader closes the file of OpenFile; nil for NewFileSource.
	closeReader func() error

	mu     sync.Mutex
	pos    int
	end    error     // the reader's last error (io.EOF at the end)
	start  time.Time // first Read; zero before
	ticker *time.Ticker
	closed chan struct{}
	once   sync.Once
}

// sampleReader is where a FileSource's samples come from: a WAVStream or
// a slice.
type sampleReader interface {
	Read(p []float32) (int, error)
}

// OpenFile opens a WAV file as a 16 kHz mono Source that decodes and
// resamples it as it plays; errors name the file.
func OpenFile(path string, opts FileOptions) (*FileSource, error) {
	s, err := OpenWAVStream(path)
	if err != nil {
		return nil, err
	}
	f := newFileSource(s, s.Len(), opts)
	f.closeReader = s.Close
	return f, nil
}

// NewFileSource returns a Source over samples already at SampleRate, mono.
func NewFileSource(samples []float32, opts FileOptions) *FileSource {
	return newFileSource(&sliceReader{samples: samples}, len(samples), opts)
}

func newFileSource(r sampleReader, total int, opts FileOptions) *FileSource {
	return &FileSource{r: r, total: total, fast: opts.Fast, closed: make(chan struct{})}
}

// sliceReader reads samples from memory.
type sliceReader struct {
	samples []float32
}

func (s *sliceReader) Read(p []float32) (int, error) {
	if len(s.samples) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.samples)
	s.samples = s.samples[n:]
	return n, nil
}

// Len returns the total number of samples the source delivers.
func (f *FileSource) Len() int { return f.total }

// Read implements Source.
func (f *FileSource) Read(ctx context.Context, p []float32) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		if err := f.check(ctx); err != nil {
			return 0, err
		}
		if n := f.take(p); n > 0 || f.end != nil {
			return n, f.finish(n)
		}
		if err := f.wait(ctx); err != nil {
			return 0, err
		}
	}
}

// finish returns the reader's end once nothing more was read (io.EOF, or
// its error naming the file), stopping the clock.
func (f *FileSource) finish(n int) error {
	if n > 0 || f.end == nil {
		return nil
	}
	f.stopTicker()
	return f.end
}

func (f *FileSource) check(ctx context.Context) error {
	select {
	case <-f.closed:
		return fmt.Errorf("file source: %w", ErrClosed)
	default:
		return ctx.Err()
	}
}

// take reads into p what real time (or Fast) allows.
func (f *FileSource) take(p []float32) int {
	want := len(p)
	if !f.fast {
		if f.start.IsZero() {
			f.start, f.ticker = time.Now(), time.NewTicker(filePace)
		}
		want = min(want, samplesOf(time.Since(f.start))-f.pos)
	}
	if want <= 0 || f.end != nil {
		return 0
	}
	n, err := f.r.Read(p[:want])
	f.pos += n
	if err != nil {
		f.end = err
	}
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

// Close implements Source; it also closes the file.
func (f *FileSource) Close() error {
	f.once.Do(func() { close(f.closed) })
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopTicker()
	if f.closeReader == nil {
		return nil
	}
	err := f.closeReader()
	f.closeReader = nil
	return err
}
