package audio

import (
	"context"
	"fmt"
	"math"
	"sync"
)

// EnergyOptions tune the energy detector. Zero fields take the defaults of
// DefaultEnergyOptions.
type EnergyOptions struct {
	// MarginDB is how far above the noise floor a frame must be to score
	// 0.5 (default 12 dB).
	MarginDB float64
	// SlopeDB is the width of the transition: MarginDB ± SlopeDB scores
	// about 0.27 and 0.73 (default 3 dB).
	SlopeDB float64
	// MinLevelDB is the absolute level (dBFS) below which nothing is speech,
	// however quiet the floor (default -55 dBFS).
	MinLevelDB float64
	// FloorRise is how fast the floor climbs towards louder frames, in dB per
	// second; it falls halfway to a quieter frame each frame (default 3 dB/s).
	FloorRise float64
}

// DefaultEnergyOptions returns the energy detector's defaults.
func DefaultEnergyOptions() EnergyOptions {
	return EnergyOptions{MarginDB: 12, SlopeDB: 3, MinLevelDB: -55, FloorRise: 3}
}

// silenceDB is the level given to digital silence and the floor's start.
const silenceDB = -100

// EnergyVAD is the fallback detector used when the Silero model is missing:
// it tracks the noise floor (falling fast to quieter frames, rising slowly
// so that speech does not become the floor) and maps the frame's level above
// that floor to a probability with a logistic curve.
type EnergyVAD struct {
	opts  EnergyOptions
	mu    sync.Mutex
	floor float64 // dBFS; silenceDB before the first frame
	seen  bool
}

// NewEnergyVAD returns an energy detector; zero option fields take defaults.
func NewEnergyVAD(opts EnergyOptions) (*EnergyVAD, error) {
	d := DefaultEnergyOptions()
	opts.MarginDB = orDefault(opts.MarginDB, d.MarginDB)
	opts.SlopeDB = orDefault(opts.SlopeDB, d.SlopeDB)
	opts.MinLevelDB = orDefault(opts.MinLevelDB, d.MinLevelDB)
	opts.FloorRise = orDefault(opts.FloorRise, d.FloorRise)
	if opts.MarginDB < 0 || opts.SlopeDB <= 0 || opts.FloorRise < 0 {
		return nil, fmt.Errorf("energy VAD: margin %g dB, slope %g dB, floor rise %g dB/s: %w",
			opts.MarginDB, opts.SlopeDB, opts.FloorRise, ErrInvalidOptions)
	}
	return &EnergyVAD{opts: opts, floor: silenceDB}, nil
}

func orDefault(v, d float64) float64 {
	if v == 0 {
		return d
	}
	return v
}

// Name implements VAD.
func (v *EnergyVAD) Name() string { return "energy" }

// Reset implements VAD: forget the noise floor.
func (v *EnergyVAD) Reset() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.floor, v.seen = silenceDB, false
}

// Prob implements VAD.
func (v *EnergyVAD) Prob(_ context.Context, frame []float32) (float32, error) {
	if len(frame) != FrameSize {
		return 0, fmt.Errorf("energy VAD: frame of %d samples, want %d: %w", len(frame), FrameSize, ErrFrameSize)
	}
	level := LevelDB(RMS(frame))
	v.mu.Lock()
	defer v.mu.Unlock()
	v.track(level)
	p := logistic((level-v.floor-v.opts.MarginDB)/v.opts.SlopeDB) *
		logistic((level-v.opts.MinLevelDB)/v.opts.SlopeDB)
	return float32(p), nil
}

// track moves the floor: halfway down to a quieter frame (so a pause in
// speech re-anchors it within a few frames), up by at most FloorRise dB per
// second of audio. The floor never goes below MinLevelDB-10, so that a
// stretch of digital silence does not make the next noise look like speech.
func (v *EnergyVAD) track(level float64) {
	level = max(level, v.opts.MinLevelDB-10)
	switch {
	case !v.seen:
		v.floor, v.seen = level, true
	case level < v.floor:
		v.floor += (level - v.floor) / 2
	default:
		v.floor = min(level, v.floor+v.opts.FloorRise*FrameSize/SampleRate)
	}
}

func logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// RMS returns the root mean square of samples (0 for none).
func RMS(samples []float32) float32 {
	if len(samples) == 0 {
		return 0
	}
	var sum float64
	for _, s := range samples {
		sum += float64(s) * float64(s)
	}
	return float32(math.Sqrt(sum / float64(len(samples))))
}

// LevelDB converts an amplitude (RMS or peak) to dBFS, flooring silence at
// -100 dBFS.
func LevelDB(amplitude float32) float64 {
	if amplitude <= 0 {
		return silenceDB
	}
	return max(silenceDB, 20*math.Log10(float64(amplitude)))
}
