package web

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkBrowserPlaybackDelay measures, in a real headless Chromium on
// loopback, the delay the browser page adds to parley's voice: each
// iteration plays 0.3 s of speech and waits for the page to report it.
// Reported: the jitter buffer's target; the page's first-sample delay (a
// sound's first chunk arriving to its first sample leaving the
// AudioWorklet), mean and p95; the latency the browser itself declares
// (AudioContext base + output); and, measured in Go, Play to the page's
// "started" report (one round trip on top of the first-sample delay).
//
//	go test -run '^$' -bench BrowserPlaybackDelay -benchtime 50x ./audio/web/
func BenchmarkBrowserPlaybackDelay(b *testing.B) {
	s := startBrowser(b, "")
	sound := s.speech[:CaptureRate*3/10]
	var toStart []float64
	for b.Loop() {
		t0 := time.Now()
		pb := s.play(b, sound, CaptureRate)
		at, _ := pb.Started()
		toStart = append(toStart, float64(at.Sub(t0))/float64(time.Millisecond))
	}
	st := waitStats(b, s.srv, len(toStart))
	b.ReportMetric(st.JitterMS, "jitter-target-ms")
	b.ReportMetric(st.FirstMS.Mean, "first-sample-mean-ms")
	b.ReportMetric(st.FirstMS.P95, "first-sample-p95-ms")
	b.ReportMetric(st.BaseLatencyMS+st.OutputLatencyMS, "browser-output-latency-ms")
	b.ReportMetric(st.CaptureDelay().Seconds()*1000, "capture-delay-ms")
	b.ReportMetric(mean(toStart), "play-to-started-mean-ms")
	b.ReportMetric(p95(toStart), "play-to-started-p95-ms")
	b.ReportMetric(float64(st.Underruns), "underruns")
}

// waitStats waits until the page's stats cover n sounds.
func waitStats(tb testing.TB, s *Server, n int) PageStats {
	tb.Helper()
	deadline := time.Now().Add(wait)
	for {
		st, _ := s.PageStats()
		if st.FirstMS.N >= min(n, 200) {
			return st
		}
		if time.Now().After(deadline) {
			tb.Fatalf("page stats cover %d sounds, want %d", st.FirstMS.N, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func mean(x []float64) float64 {
	var sum float64
	for _, v := range x {
		sum += v
	}
	return sum / float64(max(1, len(x)))
}

// p95 is the nearest-rank 95th percentile.
func p95(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(x))
	return s[(95*len(s)+99)/100-1]
}
