package bench

import (
	"time"

	"parley/internal/stats"
)

// RTF is the real-time factor: processing time over audio time (lower is
// faster; 0.1 means ten times faster than real time). 0 when there is no
// audio.
func RTF(wall time.Duration, audioSeconds float64) float64 {
	if audioSeconds <= 0 {
		return 0
	}
	return wall.Seconds() / audioSeconds
}

// Throughput is seconds of audio processed per second: the inverse of the
// RTF ("x real time"). 0 when nothing was timed.
func Throughput(wall time.Duration, audioSeconds float64) float64 {
	if wall <= 0 {
		return 0
	}
	return audioSeconds / wall.Seconds()
}

// Speedup is how many times faster a run with RTF rtf is than the
// reference run with RTF ref (ref/rtf); 0 when either is unknown.
func Speedup(ref, rtf float64) float64 {
	if ref <= 0 || rtf <= 0 {
		return 0
	}
	return ref / rtf
}

// Latency is a latency distribution in milliseconds.
type Latency struct {
	// P50, P95 and P99 are percentiles, in milliseconds.
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
	// Max is the slowest, in milliseconds.
	Max float64 `json:"max_ms"`
}

// Latencies summarises durations.
func Latencies(d []time.Duration) Latency {
	ms := make([]float64, len(d))
	for i, v := range d {
		ms[i] = float64(v) / float64(time.Millisecond)
	}
	return Latency{P50: stats.Quantile(ms, 0.50), P95: stats.Quantile(ms, 0.95), P99: stats.Quantile(ms, 0.99), Max: stats.Quantile(ms, 1)}
}

// Slope fits y = a + b*x by least squares and returns b; 0 for fewer than
// two distinct x.
func Slope(x, y []float64) float64 {
	n := float64(min(len(x), len(y)))
	if n < 2 {
		return 0
	}
	var sx, sy, sxx, sxy float64
	for i := range int(n) {
		sx, sy = sx+x[i], sy+y[i]
		sxx, sxy = sxx+x[i]*x[i], sxy+x[i]*y[i]
	}
	den := n*sxx - sx*sx
	if den == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / den
}
