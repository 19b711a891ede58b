package audio

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
)

// noise returns n samples of uniform noise with the given peak amplitude.
func noise(rng *rand.Rand, n int, amp float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = amp * (2*rng.Float32() - 1)
	}
	return out
}

func TestEnergyVADToneVersusSilence(t *testing.T) {
	v, err := NewEnergyVAD(EnergyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	probs := func(frames int, gen func() []float32) (lo, hi float32) {
		lo, hi = 1, 0
		for range frames {
			p, err := v.Prob(ctx, gen())
			if err != nil {
				t.Fatal(err)
			}
			lo, hi = min(lo, p), max(hi, p)
		}
		return lo, hi
	}
	quiet := func() []float32 { return noise(rng, FrameSize, 0.002) } // about -57 dBFS
	tone := func() []float32 {
		f := sine(300, SampleRate, FrameSize, 0.3)
		for i, n := range quiet() {
			f[i] += n
		}
		return f
	}
	if _, hi := probs(30, quiet); hi > 0.1 {
		t.Fatalf("noise scored up to %.2f", hi)
	}
	if lo, _ := probs(60, tone); lo < 0.9 { // 2 s of tone stays speech
		t.Fatalf("tone scored down to %.2f", lo)
	}
	probs(5, quiet) // the floor re-anchors within a few frames
	if _, hi := probs(30, quiet); hi > 0.1 {
		t.Fatalf("noise after the tone scored up to %.2f", hi)
	}
	if p, _ := v.Prob(ctx, make([]float32, FrameSize)); p > 0.01 {
		t.Fatalf("digital silence scored %.2f", p)
	}
}

func TestEnergyVADLoudNoiseFloor(t *testing.T) {
	v, err := NewEnergyVAD(EnergyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	ctx := context.Background()
	var last float32
	for range 100 { // steady loud fan noise, about -25 dBFS: not speech
		if last, err = v.Prob(ctx, noise(rng, FrameSize, 0.1)); err != nil {
			t.Fatal(err)
		}
	}
	if last > 0.2 {
		t.Fatalf("steady loud noise scored %.2f", last)
	}
	if _, err := v.Prob(ctx, make([]float32, 100)); !errors.Is(err, ErrFrameSize) {
		t.Fatalf("short frame: err = %v", err)
	}
	if _, err := NewEnergyVAD(EnergyOptions{SlopeDB: -1}); !errors.Is(err, ErrInvalidOptions) {
		t.Fatalf("bad options: err = %v", err)
	}
	if v.Name() != "energy" {
		t.Fatalf("name %q", v.Name())
	}
}

func BenchmarkEnergyVAD(b *testing.B) {
	v, err := NewEnergyVAD(EnergyOptions{})
	if err != nil {
		b.Fatal(err)
	}
	frame := sine(300, SampleRate, FrameSize, 0.3)
	for b.Loop() {
		if _, err := v.Prob(context.Background(), frame); err != nil {
			b.Fatal(err)
		}
	}
}
