package asr_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"parley/pipeline/asr"
)

// BenchmarkWhisperSized measures a Whisper-sized model with generated
// weights (scripts/models/export_whisper_models.py --sized NAME DIR;
// PARLEY_WHISPER_SIZED names DIR) on the CPU, PARLEY_BENCH_THREADS threads
// per run (default: the runtime's). Generated weights never emit eot, so
// each utterance decodes up to the token limit (6 per second of audio):
// "5s" is an upper bound for 5 s utterances; "0.1s" (no token fits) is the
// fixed cost of the front end, the 30 s encoder and the prompt run.
// "cpuRTF" is the process's CPU time per audio second, which a shared
// machine distorts less than the wall time behind "RTF".
func BenchmarkWhisperSized(b *testing.B) {
	dir := os.Getenv("PARLEY_WHISPER_SIZED")
	if dir == "" {
		b.Skip("PARLEY_WHISPER_SIZED not set (see scripts/models/export_whisper_models.py --sized)")
	}
	threads, _ := strconv.Atoi(os.Getenv("PARLEY_BENCH_THREADS"))
	for _, int8 := range []bool{true, false} {
		w, err := asr.NewWhisper(context.Background(), asr.WhisperOptions{Dir: dir, PreferInt8: int8,
			Loader: newRuntime(b), IntraOpThreads: threads})
		if err != nil {
			b.Fatal(err)
		}
		if enc, _ := w.Graphs(); int8 && enc == w.Files().Encoder {
			w.Close()
			continue // no int8 graphs
		}
		benchWhisper(b, w, map[bool]string{true: "int8", false: "fp32"}[int8])
		w.Close()
	}
}

// benchWhisper runs one 5 s and one 0.1 s utterance per iteration.
func benchWhisper(b *testing.B, w *asr.Whisper, kind string) {
	for _, sec := range []float64{5, 0.1} {
		audio := whisperTones(0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3)[:int(sec*16000)]
		if _, err := w.Recognize(context.Background(), [][]float32{audio}); err != nil { // warm-up
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%s/%gs", kind, sec), func(b *testing.B) {
			tokens, cpu := 0, cpuTime(b)
			for b.Loop() {
				res, err := w.Recognize(context.Background(), [][]float32{audio})
				if err != nil {
					b.Fatal(err)
				}
				tokens = len(res[0].Tokens)
			}
			b.ReportMetric(b.Elapsed().Seconds()/(sec*float64(b.N)), "RTF")
			b.ReportMetric((cpuTime(b)-cpu).Seconds()/(sec*float64(b.N)), "cpuRTF")
			b.ReportMetric(float64(tokens), "tokens")
		})
	}
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
