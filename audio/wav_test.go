package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecodeWAVFixtures(t *testing.T) {
	// Made with sox: synth 0.1 s, sine 440 Hz (880 Hz on the right), vol 0.5.
	tests := []struct {
		name           string
		file           string
		rate, channels int
		tol            float64
	}{
		{"8-bit unsigned", "tone_8k_u8.wav", 8000, 1, 0.02},
		{"16-bit 48 kHz stereo", "tone_48k_stereo_s16.wav", 48000, 2, 0.01},
		{"24-bit extensible", "tone_22k_s24.wav", 22050, 1, 0.01},
		{"32-bit extensible", "tone_16k_s32.wav", 16000, 1, 0.01},
		{"float32", "tone_16k_f32.wav", 16000, 1, 0.01},
		{"float64", "tone_44k_f64.wav", 44100, 1, 0.01},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ReadWAV(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if a.Rate != tc.rate || a.Channels != tc.channels || a.Frames() != tc.rate/10 {
				t.Fatalf("got %d Hz, %d ch, %d frames; want %d Hz, %d ch, %d frames",
					a.Rate, a.Channels, a.Frames(), tc.rate, tc.channels, tc.rate/10)
			}
			left := channel(a.Samples, a.Channels, 0)
			if got := toneAmp(left, 440, a.Rate); math.Abs(got-0.5) > tc.tol*5 {
				t.Errorf("440 Hz amplitude %.3f, want 0.5", got)
			}
			if tc.channels == 2 {
				right := channel(a.Samples, 2, 1)
				if got := toneAmp(right, 880, a.Rate); math.Abs(got-0.5) > tc.tol*5 {
					t.Errorf("right 880 Hz amplitude %.3f, want 0.5", got)
				}
			}
		})
	}
}

func TestDecodeWAVErrors(t *testing.T) {
	good, err := os.ReadFile("testdata/tone_48k_stereo_s16.wav")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrBadHeader},
		{"not RIFF", []byte("ID3\x04garbage-garbage-garbage"), ErrBadHeader},
		{"RIFF but not WAVE", append([]byte("RIFF\x00\x00\x00\x00AVI "), good[12:]...), ErrBadHeader},
		{"truncated data", good[:len(good)-100], ErrTruncated},
		{"truncated fmt", good[:30], ErrTruncated},
		{"no data chunk", good[:36], ErrBadHeader},
		{"data before fmt", buildWAV(nil, chunk("data", []byte{0, 0})), ErrBadHeader},
		{"ADPCM", buildWAV(fmtChunk(2, 1, 8000, 4), chunk("data", []byte{0, 0})), ErrUnsupportedFormat},
		{"12-bit PCM", buildWAV(fmtChunk(1, 1, 8000, 12), chunk("data", []byte{0, 0})), ErrUnsupportedFormat},
		{"16-bit float", buildWAV(fmtChunk(3, 1, 8000, 16), chunk("data", []byte{0, 0})), ErrUnsupportedFormat},
		{"zero channels", buildWAV(fmtChunk(1, 0, 8000, 16), chunk("data", []byte{0, 0})), ErrBadHeader},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeWAV(bytes.NewReader(tc.data))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestReadWAVErrorNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.wav")
	if err := os.WriteFile(path, []byte("RIFF\x10\x00\x00\x00WAVEfmt "), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadWAV(path)
	if err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, ErrTruncated) {
		t.Fatalf("err = %v, want it to name %s and wrap ErrTruncated", err, path)
	}
	if _, err := ReadWAV(filepath.Join(t.TempDir(), "missing.wav")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: err = %v", err)
	}
}

func TestDecodeWAVSkipsChunksAndStreams(t *testing.T) {
	pcm := []byte{0x00, 0x40, 0x00, 0xC0} // +0.5, -0.5
	t.Run("odd unknown chunk before fmt", func(t *testing.T) {
		a := mustDecode(t, buildWAV(chunk("LIST", []byte("abc")), fmtChunk(1, 1, 16000, 16), chunk("data", pcm)))
		if len(a.Samples) != 2 || a.Samples[0] != 0.5 || a.Samples[1] != -0.5 {
			t.Fatalf("samples %v", a.Samples)
		}
	})
	t.Run("streamed size", func(t *testing.T) {
		data := buildWAV(fmtChunk(1, 1, 16000, 16), chunk("data", pcm))
		binary.LittleEndian.PutUint32(data[len(data)-len(pcm)-4:], unknownSize)
		if a := mustDecode(t, data); len(a.Samples) != 2 {
			t.Fatalf("got %d samples, want 2", len(a.Samples))
		}
	})
}

func TestWAVRoundTrip(t *testing.T) {
	in := sine(440, 22050, 2205, 0.8)
	in = append(in, 1.5, -1.5) // clipped
	var buf bytes.Buffer
	if err := WriteWAV(&buf, in, 22050); err != nil {
		t.Fatal(err)
	}
	a := mustDecode(t, buf.Bytes())
	if a.Rate != 22050 || a.Channels != 1 || len(a.Samples) != len(in) {
		t.Fatalf("got %d Hz %d ch %d samples", a.Rate, a.Channels, len(a.Samples))
	}
	for i, v := range a.Samples {
		want := max(-1, min(1, in[i]))
		if math.Abs(float64(v-want)) > 2.0/32767 { // 1 LSB of rounding + 32767 vs 32768 scaling
			t.Fatalf("sample %d: %v, want %v", i, v, want)
		}
	}
	if err := WriteWAV(&buf, in, 0); !errors.Is(err, ErrInvalidAudio) {
		t.Fatalf("rate 0: err = %v", err)
	}
}

func TestToMono16k(t *testing.T) {
	a, err := ReadWAV("testdata/tone_48k_stereo_s16.wav")
	if err != nil {
		t.Fatal(err)
	}
	mono, err := ToMono16k(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(mono) != 1600 {
		t.Fatalf("len %d, want 1600", len(mono))
	}
	mid := trim(mono, 100)
	for _, f := range []float64{440, 880} {
		if got := toneAmp(mid, f, SampleRate); math.Abs(got-0.25) > 0.03 {
			t.Errorf("%g Hz amplitude %.3f after downmix, want 0.25", f, got)
		}
	}
	if _, err := ToMono16k(Audio{Samples: mono}); !errors.Is(err, ErrInvalidAudio) {
		t.Fatalf("zero rate: err = %v", err)
	}
}

func mustDecode(t *testing.T, data []byte) Audio {
	t.Helper()
	a, err := DecodeWAV(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func chunk(id string, body []byte) []byte {
	b := append([]byte(id), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(body)))
	b = append(b, body...)
	if len(body)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func fmtChunk(tag, channels, rate, bits int) []byte {
	b := make([]byte, 16)
	binary.LittleEndian.PutUint16(b[0:], uint16(tag))
	binary.LittleEndian.PutUint16(b[2:], uint16(channels))
	binary.LittleEndian.PutUint32(b[4:], uint32(rate))
	binary.LittleEndian.PutUint32(b[8:], uint32(rate*channels*bits/8))
	binary.LittleEndian.PutUint16(b[12:], uint16(channels*bits/8))
	binary.LittleEndian.PutUint16(b[14:], uint16(bits))
	return chunk("fmt ", b)
}

func buildWAV(chunks ...[]byte) []byte {
	body := []byte("WAVE")
	for _, c := range chunks {
		body = append(body, c...)
	}
	return append(chunk("RIFF", body)[:8], body...)
}
