package audio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

// wavChunkBytes bounds one read of sample bytes, whatever the caller asks
// for: memory stays the same for a short clip and an hour-long file.
const wavChunkBytes = 64 << 10

// WAVReader decodes a WAV stream a chunk at a time. Open one with OpenWAV
// (a file: its declared size is checked against the file's) or
// NewWAVReader (any stream).
type WAVReader struct {
	r      io.Reader
	f      wavFormat
	left   int64 // data bytes not yet read; -1: until the end of the stream
	frames int64 // frames the data chunk holds; -1 when unknown
	raw    []byte
	file   *os.File // nil for NewWAVReader
}

// NewWAVReader reads a WAV header from r and returns a reader of its
// samples. The header is checked as DecodeWAV checks it.
func NewWAVReader(r io.Reader) (*WAVReader, error) {
	f, size, err := readHeader(r)
	if err != nil {
		return nil, err
	}
	w := &WAVReader{r: r, f: f, left: int64(size), frames: int64(size) / int64(f.frameBytes())}
	if size == unknownSize || size == 0 { // a streamed file whose writer never went back
		w.left, w.frames = -1, -1
	}
	return w, nil
}

// OpenWAV opens the WAV file at path and reads its header. A data chunk
// that declares more bytes than the file holds is refused (ErrTruncated),
// so a hostile header cannot promise more work than the file has; errors
// name the file.
func OpenWAV(path string) (*WAVReader, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read WAV: %w", err)
	}
	w, err := openWAVFile(file)
	if err != nil {
		_ = file.Close()
		return nil, fmt.Errorf("read WAV %s: %w", path, err)
	}
	return w, nil
}

func openWAVFile(file *os.File) (*WAVReader, error) {
	st, err := file.Stat()
	if err != nil {
		return nil, err
	}
	counted := &countingReader{r: bufio.NewReader(file)}
	w, err := NewWAVReader(counted)
	if err != nil {
		return nil, err
	}
	w.file = file
	holds := st.Size() - counted.n
	if w.left > holds {
		return nil, fmt.Errorf("data chunk declares %d bytes, the file holds %d after the header: %w", w.left, holds, ErrTruncated)
	}
	if w.left < 0 {
		w.left = holds
	}
	w.frames = w.left / int64(w.f.frameBytes())
	return w, nil
}

// countingReader counts the bytes read through it (the header's length).
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Rate returns the sample rate in Hz.
func (w *WAVReader) Rate() int { return w.f.rate }

// Channels returns the number of interleaved channels.
func (w *WAVReader) Channels() int { return w.f.channels }

// Frames returns how many frames the data chunk holds, and whether that is
// known (a streamed WAV read by NewWAVReader may not say).
func (w *WAVReader) Frames() (int64, bool) { return w.frames, w.frames >= 0 }

// Read decodes whole frames of interleaved samples into p (at most
// len(p)/Channels frames, and at most 64 KiB of the file per call) and
// returns how many samples it wrote. The end of the data is io.EOF; data
// that ends before the size its header declares is ErrTruncated. p must
// hold at least one frame.
func (w *WAVReader) Read(p []float32) (int, error) {
	fb := w.f.frameBytes()
	want := min(len(p)/w.f.channels, wavChunkBytes/fb) * fb
	if want == 0 {
		return 0, fmt.Errorf("read WAV into %d samples, a frame has %d: %w", len(p), w.f.channels, ErrInvalidOptions)
	}
	if w.left >= 0 { // whole frames only: a partial last frame is dropped
		want = int(min(int64(want), w.left/int64(fb)*int64(fb)))
	}
	if want == 0 {
		return 0, io.EOF
	}
	if cap(w.raw) < want {
		w.raw = make([]byte, want)
	}
	got, err := io.ReadFull(w.r, w.raw[:want])
	got -= got % fb // a partial last frame of a streamed file is dropped
	decodeInto(p, w.raw[:got], w.f.tag, w.f.bits/8)
	if w.left >= 0 {
		w.left -= int64(got)
	}
	return got / (w.f.bits / 8), w.readErr(err)
}

// readErr turns the end of the underlying stream into io.EOF or
// ErrTruncated, as the header's size says.
func (w *WAVReader) readErr(err error) error {
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("data chunk: %w", err)
	case w.left > 0:
		return fmt.Errorf("data chunk ends %d bytes early: %w", w.left, ErrTruncated)
	default:
		w.left = 0
		return io.EOF
	}
}

// Close closes the file of a reader from OpenWAV; harmless otherwise.
func (w *WAVReader) Close() error {
	if w.file == nil {
		return nil
	}
	return w.file.Close()
}

// readAll decodes everything left into memory.
func (w *WAVReader) readAll() (Audio, error) {
	a := Audio{Rate: w.f.rate, Channels: w.f.channels}
	// The declared size sizes the first allocation only up to a bound: a
	// hostile header must not reserve memory the data never fills.
	initial := min(max(w.frames, 0)*int64(w.f.channels), 1<<20)
	a.Samples = make([]float32, 0, initial)
	buf := make([]float32, wavChunkBytes)
	for {
		n, err := w.Read(buf)
		a.Samples = append(a.Samples, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return a, nil
		}
		if err != nil {
			return Audio{}, err
		}
	}
}

// WAVStream reads a WAV file as SampleRate mono: it decodes, downmixes and
// resamples one chunk at a time, so its memory does not depend on the
// file's length and its work is proportional to it.
type WAVStream struct {
	path  string
	w     *WAVReader
	rs    *ResampleStream
	raw   []float32 // interleaved samples of one chunk
	mono  []float32
	total int
	err   error // io.EOF or the failure that ended the input
}

// OpenWAVStream opens the WAV file at path as a SampleRate mono stream;
// errors name the file.
func OpenWAVStream(path string) (*WAVStream, error) {
	w, err := OpenWAV(path)
	if err != nil {
		return nil, err
	}
	r, err := NewResampler(w.Rate(), SampleRate)
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("read WAV %s: %w", path, err)
	}
	frames, _ := w.Frames()
	return &WAVStream{
		path: path, w: w, rs: r.Stream(), total: r.OutputLen(int(frames)),
		raw: make([]float32, wavChunkBytes/4/w.Channels()*w.Channels()), mono: make([]float32, wavChunkBytes/4),
	}, nil
}

// Len returns how many samples the stream delivers in all.
func (s *WAVStream) Len() int { return s.total }

// Read fills p with up to len(p) samples and returns how many; io.EOF
// after the last, or an error naming the file when the data is broken.
func (s *WAVStream) Read(p []float32) (int, error) {
	for {
		if n := s.rs.Read(p); n > 0 || len(p) == 0 {
			return n, nil
		}
		if s.err != nil {
			return 0, s.err
		}
		s.fill()
	}
}

// fill decodes one chunk into the resampler.
func (s *WAVStream) fill() {
	n, err := s.w.Read(s.raw)
	s.rs.Write(downmixInto(s.mono, s.raw[:n], s.w.Channels()))
	if err == nil {
		return
	}
	s.rs.End()
	s.err = io.EOF
	if !errors.Is(err, io.EOF) {
		s.err = fmt.Errorf("read WAV %s: %w", s.path, err)
	}
}

// Close closes the file.
func (s *WAVStream) Close() error { return s.w.Close() }

// ReadMono16k reads the whole WAV file at path as SampleRate mono samples,
// streaming it: the memory used is the result's and a chunk's, never the
// file's decoded at its own rate.
func ReadMono16k(path string) ([]float32, error) {
	s, err := OpenWAVStream(path)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	out := make([]float32, 0, s.Len())
	buf := make([]float32, wavChunkBytes/4)
	for {
		n, err := s.Read(buf)
		out = append(out, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
