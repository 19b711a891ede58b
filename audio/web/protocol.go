package web

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/coder/websocket"
)

// protocolVersion is what the page's hello must carry: a page left open from
// another parley build is told to reload instead of being misunderstood.
const protocolVersion = 1

// CaptureRate is the rate of the PCM the page sends (and of what Mic.Read
// returns): 16 kHz mono, the rate of everything parley hears.
const CaptureRate = 16000

// chunkLength is the length of one binary message in either direction.
// Why 20 ms: small enough that the page's capture adds little delay and the
// level meter moves smoothly, large enough that the per-message cost (a
// WebSocket frame, a JSON-free binary header) stays negligible.
const chunkLength = 20 * time.Millisecond

// Binary chunks from parley start with a header of three little-endian
// uint32: playback id, sample rate, flags.
const (
	chunkHeader = 12
	flagFirst   = 1 // the playback's first chunk
	flagLast    = 2 // the playback's last chunk
)

// Close codes the page understands.
const (
	// closeReplaced tells a page that a newer page took over: it must not
	// reconnect by itself, or two tabs would take turns forever.
	closeReplaced websocket.StatusCode = 4001
	// closeStopped tells a page that parley is shutting down.
	closeStopped = websocket.StatusGoingAway
)

// pageMsg is a JSON text message from the page.
type pageMsg struct {
	Type    string     `json:"type"` // hello, stats, started, ended, ptt
	Version int        `json:"version,omitempty"`
	ID      uint32     `json:"id,omitempty"`
	Samples uint64     `json:"samples,omitempty"`
	RMS     float64    `json:"rms,omitempty"`
	Down    bool       `json:"down,omitempty"`
	Stats   *PageStats `json:"stats,omitempty"`
}

// serverMsg is a JSON text message to the page.
type serverMsg struct {
	Type     string  `json:"type"` // welcome, event, flush, ping
	JitterMS float64 `json:"jitter_ms,omitempty"`
	Kind     string  `json:"kind,omitempty"`
	Text     string  `json:"text,omitempty"`
	Time     int64   `json:"time,omitempty"` // Unix milliseconds
	Events   []event `json:"events,omitempty"`
}

// event is one transcript entry.
type event struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
	Time int64  `json:"time"` // Unix milliseconds
}

// encodeChunk builds one binary message of a playback.
func encodeChunk(id uint32, rate int, flags uint32, samples []float32) []byte {
	b := make([]byte, chunkHeader+2*len(samples))
	binary.LittleEndian.PutUint32(b[0:], id)
	binary.LittleEndian.PutUint32(b[4:], uint32(rate))
	binary.LittleEndian.PutUint32(b[8:], flags)
	for i, s := range samples {
		binary.LittleEndian.PutUint16(b[chunkHeader+2*i:], uint16(toS16(s)))
	}
	return b
}

// toS16 converts a sample in [-1, 1] to s16, clipping beyond.
func toS16(s float32) int16 {
	v := math.Round(float64(s) * 32767)
	return int16(max(-32768, min(32767, v)))
}

// decodePCM converts s16le PCM to samples in [-1, 1).
func decodePCM(b []byte) ([]float32, error) {
	if len(b)%2 != 0 {
		return nil, fmt.Errorf("capture frame of %d bytes (odd, not s16le): %w", len(b), ErrProtocol)
	}
	out := make([]float32, len(b)/2)
	for i := range out {
		out[i] = float32(int16(binary.LittleEndian.Uint16(b[2*i:]))) / 32768
	}
	return out, nil
}

// chunks splits one playback into chunkLength pieces with their flags.
func chunks(samples []float32, rate int) (pieces [][]float32, flags []uint32) {
	n := max(1, rate*int(chunkLength/time.Millisecond)/1000)
	for start := 0; start < len(samples); start += n {
		var f uint32
		if start == 0 {
			f |= flagFirst
		}
		end := min(len(samples), start+n)
		if end == len(samples) {
			f |= flagLast
		}
		pieces = append(pieces, samples[start:end])
		flags = append(flags, f)
	}
	return pieces, flags
}
