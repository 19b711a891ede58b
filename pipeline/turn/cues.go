package turn

import (
	"math"
	"slices"
	"time"
)

// Audio cues that a user who stopped may go on, used to delay the end of
// a complete transcript a little (Text.extra):
//
//   - The VAD hovers: a frame of the silence so far scored at least
//     hoverProb. Silero scores silence near 0.01; a breath, a click of the
//     tongue or a soft onset scores 0.2 to 0.5 without reaching the speech
//     threshold.
//   - unless the level fell: the voiced frames of the last trailSpan of
//     speech are fallDB or more below the utterance's voiced mean. A
//     sentence usually ends falling (final lengthening, falling pitch and
//     energy); a hesitation holds its level.
//
// The level at the VAD's end of speech itself says nothing: the VAD lags
// the voice by a frame or two, so the last frames it calls speech are
// quiet whether the speech fell or broke off. Hence voiced frames only.
const (
	hoverProb = 0.3
	fallDB    = 4.0
	trailSpan = 300 * time.Millisecond
	voicedDB  = 20.0 // voiced: within this of the utterance's loud level
)

// continuationCue returns which cue suggests the user may go on, or "".
func continuationCue(in Input) string {
	if vadHovers(in) && !levelFell(in) {
		return "the VAD hovers in the silence and the level did not fall"
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

// levelFell reports whether the last voiced frames of the speech are
// fallDB below the utterance's voiced mean.
func levelFell(in Input) bool {
	speech := in.Audio[:max(0, len(in.Audio)-samplesOf(in.Silence))]
	levels := frameLevels(speech)
	if len(levels) == 0 {
		return false
	}
	sorted := slices.Clone(levels)
	slices.Sort(sorted)
	loud := sorted[len(sorted)*9/10]
	var voiced []float64
	for _, l := range levels {
		if l >= loud-voicedDB {
			voiced = append(voiced, l)
		}
	}
	tail := framesOf(trailSpan)
	if len(voiced) < 2*tail {
		return false
	}
	return mean(voiced[len(voiced)-tail:]) <= mean(voiced)-fallDB
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
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
