package web

import (
	"errors"
	"testing"
)

func TestChunksCoverTheSoundWithFirstAndLastFlags(t *testing.T) {
	cases := []struct {
		name      string
		n, rate   int
		wantFlags []uint32
	}{
		{"shorter than a chunk", 100, 16000, []uint32{flagFirst | flagLast}},
		{"exactly two chunks", 640, 16000, []uint32{flagFirst, flagLast}},
		{"two and a bit at 22.05 kHz", 441*2 + 1, 22050, []uint32{flagFirst, 0, flagLast}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pieces, flags := chunks(make([]float32, tc.n), tc.rate)
			total := 0
			for _, p := range pieces {
				total += len(p)
			}
			if total != tc.n || len(flags) != len(tc.wantFlags) {
				t.Fatalf("%d pieces of %d samples in all, flags %v", len(pieces), total, flags)
			}
			for i := range flags {
				if flags[i] != tc.wantFlags[i] {
					t.Errorf("flags %v, want %v", flags, tc.wantFlags)
				}
			}
		})
	}
}

func TestSampleConversionClipsAndRoundTrips(t *testing.T) {
	cases := map[float32]int16{0: 0, 1: 32767, -1: -32767, 1.5: 32767, -2: -32768, 0.5: 16384}
	for in, want := range cases {
		if got := toS16(in); got != want {
			t.Errorf("toS16(%v) = %d, want %d", in, got, want)
		}
	}
	got, err := decodePCM(encodeChunk(7, 16000, 0, []float32{0.25, -0.5})[chunkHeader:])
	if err != nil || len(got) != 2 || got[0] != 8192.0/32768 || got[1] != -16384.0/32768 {
		t.Errorf("decode: %v %v", got, err)
	}
	if _, err := decodePCM([]byte{1, 2, 3}); !errors.Is(err, ErrProtocol) {
		t.Errorf("odd frame: %v, want ErrProtocol", err)
	}
}
