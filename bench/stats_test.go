package bench

import (
	"math"
	"testing"
	"time"
)

func TestRatesAndSlope(t *testing.T) {
	if got := RTF(2*time.Second, 10); got != 0.2 {
		t.Errorf("RTF = %g", got)
	}
	if got := Throughput(2*time.Second, 10); got != 5 {
		t.Errorf("Throughput = %g", got)
	}
	if got := Speedup(0.2, 0.05); got != 4 {
		t.Errorf("Speedup = %g", got)
	}
	if RTF(time.Second, 0) != 0 || Throughput(0, 1) != 0 || Speedup(0, 1) != 0 {
		t.Error("zero cases")
	}
	if got := Slope([]float64{0, 1, 2, 3}, []float64{1, 3, 5, 7}); math.Abs(got-2) > 1e-12 {
		t.Errorf("Slope = %g", got)
	}
	if Slope([]float64{1, 1}, []float64{1, 2}) != 0 || Slope([]float64{1}, []float64{1}) != 0 {
		t.Error("degenerate slope")
	}
	l := Latencies([]time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond})
	if l.P50 != 20 || l.Max != 30 {
		t.Errorf("latencies %+v", l)
	}
}

func TestCompare(t *testing.T) {
	in := seconds("s", 2, 0.1)
	sine := func(scale float32, n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = scale * float32(math.Sin(float64(i)/7))
		}
		return v
	}
	tests := []struct {
		name     string
		kind     Kind
		ref, got []Output
		verdict  string
	}{
		{"tts same shape, louder", KindTTS, []Output{{Values: sine(1, 500)}, {Values: sine(1, 400)}},
			[]Output{{Values: sine(1.01, 500)}, {Values: sine(1, 400)}}, Pass},
		{"tts length differs", KindTTS, []Output{{Values: sine(1, 500)}, {Values: sine(1, 400)}},
			[]Output{{Values: sine(1, 501)}, {Values: sine(1, 400)}}, Fail},
		{"tts noise", KindTTS, []Output{{Values: sine(1, 500)}, {Values: sine(1, 400)}},
			[]Output{{Values: sine(1, 500)}, {Values: make([]float32, 400)}}, Fail},
		{"vad small diff", KindVAD, []Output{{Values: []float32{0.1, 0.9}}, {Values: []float32{0.5}}},
			[]Output{{Values: []float32{0.1001, 0.9}}, {Values: []float32{0.5}}}, Pass},
		{"vad big diff", KindVAD, []Output{{Values: []float32{0.1, 0.9}}, {Values: []float32{0.5}}},
			[]Output{{Values: []float32{0.3, 0.9}}, {Values: []float32{0.5}}}, Fail},
		{"asr text only", KindASR, []Output{{Text: "a"}, {Text: "b "}}, []Output{{Text: "a"}, {Text: "b"}}, Pass},
		{"missing output", KindASR, []Output{{Text: "a"}, {Text: "b"}}, []Output{{Text: "a"}}, Fail},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Compare(tc.kind, in, tc.ref, tc.got, Tolerances{})
			if c.Verdict != tc.verdict {
				t.Errorf("verdict %s (%s), want %s; %+v", c.Verdict, c.Reason, tc.verdict, c)
			}
		})
	}
}

func TestCorrelationAndDiff(t *testing.T) {
	if got := Correlation([]float32{1, 2, 3}, []float32{2, 4, 6}); math.Abs(got-1) > 1e-12 {
		t.Errorf("scaled = %g", got)
	}
	if got := Correlation([]float32{1, 2, 3}, []float32{3, 2, 1}); math.Abs(got+1) > 1e-12 {
		t.Errorf("reversed = %g", got)
	}
	if Correlation([]float32{0, 0}, []float32{0, 0}) != 1 || Correlation([]float32{0, 0}, []float32{1, 1}) != 0 {
		t.Error("constant signals")
	}
	d, same := MaxAbsDiff([]float32{1, 2}, []float32{1.5, 2, 9})
	if d != 0.5 || same {
		t.Errorf("diff %g same %v", d, same)
	}
	if d, _ := MaxAbsDiff([]float32{float32(math.NaN())}, []float32{1}); !math.IsInf(d, 1) {
		t.Errorf("NaN diff %g", d)
	}
}

func TestChunks(t *testing.T) {
	w := Chunks("3s", make([]float32, 7*SampleRate), 3)
	if len(w.Inputs) != 2 || w.Inputs[1].ID != "3s#1" || w.Inputs[1].Seconds() != 3 {
		t.Errorf("chunks %+v", w.Inputs)
	}
	if w := Chunks("5s", make([]float32, SampleRate), 5); len(w.Inputs) != 1 || w.Inputs[0].Seconds() != 1 {
		t.Errorf("short audio %d chunks", len(w.Inputs))
	}
}
