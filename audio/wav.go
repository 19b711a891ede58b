package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Audio is decoded sound: interleaved samples in [-1, 1].
type Audio struct {
	// Samples holds Channels interleaved samples per frame.
	Samples []float32
	// Rate is the sample rate in Hz.
	Rate int
	// Channels is the number of interleaved channels.
	Channels int
}

// Frames returns the number of sample frames (samples per channel).
func (a Audio) Frames() int {
	if a.Channels <= 0 {
		return 0
	}
	return len(a.Samples) / a.Channels
}

// WAV format tags.
const (
	formatPCM        = 1
	formatFloat      = 3
	formatExtensible = 0xFFFE
)

// unknownSize marks a streamed WAV whose data size was never filled in.
const unknownSize = 0xFFFFFFFF

// wavFormat is the decoded "fmt " chunk.
type wavFormat struct {
	tag      uint16
	channels int
	rate     int
	bits     int
}

// ReadWAV decodes the whole WAV file at path into memory; errors name the
// file. Its memory grows with the file: for long files read an
// OpenWAVStream instead.
func ReadWAV(path string) (Audio, error) {
	w, err := OpenWAV(path)
	if err != nil {
		return Audio{}, err
	}
	defer w.Close()
	a, err := w.readAll()
	if err != nil {
		return Audio{}, fmt.Errorf("read WAV %s: %w", path, err)
	}
	return a, nil
}

// DecodeWAV decodes a whole RIFF/WAVE stream holding integer PCM (8, 16,
// 24 or 32 bits), IEEE float (32 or 64 bits) or WAVE_FORMAT_EXTENSIBLE of
// either, at MinRate to MaxRate and 1 to MaxChannels channels. Chunks other
// than "fmt " and "data" are skipped.
func DecodeWAV(r io.Reader) (Audio, error) {
	w, err := NewWAVReader(r)
	if err != nil {
		return Audio{}, err
	}
	return w.readAll()
}

// readHeader reads up to the start of the data chunk and returns the format
// and the data chunk's declared size.
func readHeader(r io.Reader) (wavFormat, uint32, error) {
	if err := readRIFFHeader(r); err != nil {
		return wavFormat{}, 0, err
	}
	var fmtc *wavFormat
	for {
		id, size, err := readChunkHeader(r)
		if err != nil {
			return wavFormat{}, 0, err
		}
		switch id {
		case "fmt ":
			if fmtc, err = readFormat(r, size); err != nil {
				return wavFormat{}, 0, err
			}
		case "data":
			if fmtc == nil {
				return wavFormat{}, 0, fmt.Errorf("data chunk before fmt chunk: %w", ErrBadHeader)
			}
			return *fmtc, size, nil
		default:
			if err := skipChunk(r, size); err != nil {
				return wavFormat{}, 0, fmt.Errorf("skip %q chunk: %w", id, err)
			}
		}
	}
}

func readRIFFHeader(r io.Reader) error {
	var h [12]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return fmt.Errorf("RIFF header: %w (%w)", ErrBadHeader, err)
	}
	if string(h[0:4]) != "RIFF" || string(h[8:12]) != "WAVE" {
		return fmt.Errorf("not a RIFF/WAVE stream (starts %q): %w", h[:4], ErrBadHeader)
	}
	return nil
}

func readChunkHeader(r io.Reader) (string, uint32, error) {
	var h [8]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return "", 0, fmt.Errorf("no data chunk: %w", ErrBadHeader)
		}
		return "", 0, fmt.Errorf("chunk header: %w (%w)", ErrTruncated, err)
	}
	return string(h[:4]), binary.LittleEndian.Uint32(h[4:]), nil
}

func skipChunk(r io.Reader, size uint32) error {
	n := int64(size) + int64(size&1) // chunks are padded to even sizes
	if _, err := io.CopyN(io.Discard, r, n); err != nil {
		return fmt.Errorf("%w (%w)", ErrTruncated, err)
	}
	return nil
}

func readFormat(r io.Reader, size uint32) (*wavFormat, error) {
	if size < 16 || size > 1<<16 {
		return nil, fmt.Errorf("fmt chunk of %d bytes: %w", size, ErrBadHeader)
	}
	b := make([]byte, int(size)+int(size&1))
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("fmt chunk: %w (%w)", ErrTruncated, err)
	}
	f := &wavFormat{
		tag:      binary.LittleEndian.Uint16(b[0:]),
		channels: int(binary.LittleEndian.Uint16(b[2:])),
		rate:     int(binary.LittleEndian.Uint32(b[4:])),
		bits:     int(binary.LittleEndian.Uint16(b[14:])),
	}
	if f.tag == formatExtensible {
		if size < 40 {
			return nil, fmt.Errorf("extensible fmt chunk of %d bytes: %w", size, ErrBadHeader)
		}
		f.tag = binary.LittleEndian.Uint16(b[24:]) // first bytes of the sub-format GUID
	}
	return f, f.validate()
}

// MaxChannels is the most channels a WAV file may have (third-order
// ambisonics needs 16, seventh-order 64); more is a broken header.
const MaxChannels = 64

func (f *wavFormat) validate() error {
	if f.channels < 1 || f.channels > MaxChannels {
		return fmt.Errorf("%d channels (allowed: 1 to %d): %w", f.channels, MaxChannels, ErrBadHeader)
	}
	if !validRate(f.rate) {
		return fmt.Errorf("sample rate %d Hz (allowed: %d to %d Hz): %w", f.rate, MinRate, MaxRate, ErrUnsupportedFormat)
	}
	pcm := f.tag == formatPCM && (f.bits == 8 || f.bits == 16 || f.bits == 24 || f.bits == 32)
	float := f.tag == formatFloat && (f.bits == 32 || f.bits == 64)
	if !pcm && !float {
		return fmt.Errorf("format tag %d with %d bits per sample: %w", f.tag, f.bits, ErrUnsupportedFormat)
	}
	return nil
}

// frameBytes is the size of one frame (a sample of every channel).
func (f *wavFormat) frameBytes() int { return f.bits / 8 * f.channels }
