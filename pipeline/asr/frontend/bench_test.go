package frontend_test

import (
	"testing"

	"parley/pipeline/asr/frontend"
)

// benchSeconds of synthetic audio per iteration.
const benchSeconds = 10

// BenchmarkFeatures measures fbank + LFR(7,6) + CMVN and reports the cost
// per second of 16 kHz audio ("ns/audio-s").
func BenchmarkFeatures(b *testing.B) {
	fb := newFbank(b, nil)
	samples := noise(benchSeconds * 16000)
	cmvn := unitCMVN(560)
	for b.Loop() {
		if _, err := frontend.Features(fb, samples, 7, 6, cmvn); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchSeconds), "ns/audio-s")
}

// BenchmarkFbank measures the fbank alone, per second of audio.
func BenchmarkFbank(b *testing.B) {
	fb := newFbank(b, nil)
	samples := noise(benchSeconds * 16000)
	for b.Loop() {
		fb.Compute(samples)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchSeconds), "ns/audio-s")
}
