package turn

import (
	"math"
	"slices"
	"time"
)

// Audio cues that a user who stopped may go on. Both are weak on their own,
// so they only delay a complete transcript's end a little (Text.extra):
//
//   - The VAD hovers: a frame of the silence so far scored at least
//     hoverProb. Silero scores silence near 0.01; a breath, a click of the
//     tongue or a soft onset scores 0.2 to 0.5 without reaching the speech
//     threshold.
//   - The level did not fall: the last flatSpan of speech is within flatDB
//     of the utterance's loud level (its 90th percentile frame). A sentence
//     usually ends falling (final lengthening, falling pitch and energy); a
//     word cut off in hesitation ends at full level.
const (
	hoverProb = 0.3
	flatDB    = 3.0
	flatSpan  = 96 * time.Millisecond
)

// continuationCue returns which cue suggests the user may go on, or "".
func continuationCue(in Input) string {
	switch {
	case vadHovers(in):
		return "the VAD hovers in the silence"
	case levelFlat(in):
		return "the level did not fall before the silence"
	}
	return ""
}

// vadHovers reports whether a frame of the silence scored hoverProb or more.
func vadHovers(in Input) bool {
	n := min(framesOf(in.Silence), len(in.Probs))
	for _, p := range in.Probs[len(in.Probs)-n:] {
		if p >= hoverProb {
			return true
		}
	}
	return false
}

// levelFlat reports whether the speech ended at its loud level.
func levelFlat(in Input) bool {
	speech := in.Audio[:max(0, len(in.Audio)-samplesOf(in.Silence))]
	levels := frameLevels(speech)
	tail := framesOf(flatSpan)
	if len(levels) < 2*tail {
		return false
	}
	end := slices.Max(levels[len(levels)-tail:])
	sorted := slices.Clone(levels)
	slices.Sort(sorted)
	loud := sorted[len(sorted)*9/10]
	return end >= loud-flatDB
}

// frameLevels returns the level in dBFS of each whole FrameSize frame.
func frameLevels(samples []float32) []float64 {
	out := make([]float64, 0, len(samples)/FrameSize)
	for i := 0; i+FrameSize <= len(samples); i += FrameSize {
		var sum float64
		for _, v := range samples[i : i+FrameSize] {
			sum += float64(v) * float64(v)
		}
		out = append(out, 10*math.Log10(sum/FrameSize+1e-12))
	}
	return out
}

func framesOf(d time.Duration) int {
	return samplesOf(d) / FrameSize
}

func samplesOf(d time.Duration) int {
	return int(d * SampleRate / time.Second)
}
