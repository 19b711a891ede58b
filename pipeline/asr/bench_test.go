package asr_test

import (
	"context"
	"path/filepath"
	"testing"

	"parley/internal/testenv"
	"parley/pipeline/asr"
)

// BenchmarkPocketsphinx decodes the librivox clips in 100 ms chunks and
// reports the real-time factor (decode time / audio time).
func BenchmarkPocketsphinx(b *testing.B) {
	var clips [][]float32
	var audio float64
	for _, c := range librivoxClips(b) {
		s, rate := readWAV16(b, testenv.TestData(b, "librivox/"+c.id+".wav"))
		clips = append(clips, resample(s, rate, 16000))
		audio += float64(len(s)) / float64(rate)
	}
	p := newDecoder(b)
	for b.Loop() {
		for _, c := range clips {
			decodeChunks(b, p, c, 1600)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/(audio*float64(b.N)), "rtf")
}

// BenchmarkPocketsphinxInit measures starting a decoder on the full en-us
// model.
func BenchmarkPocketsphinxInit(b *testing.B) {
	newDecoder(b).Close() // skips when the model is missing
	opts := asr.PocketsphinxOptions{LogFile: filepath.Join(b.TempDir(), "log")}
	for b.Loop() {
		p, err := asr.NewPocketsphinx(context.Background(), opts)
		if err != nil {
			b.Fatal(err)
		}
		p.Close()
	}
}
