package asr

// quietWindow is the 32 ms window (at 16 kHz) whose energy picks a cut.
const quietWindow = 512

// searchFraction is the part of the limit, just before it, searched for the
// quietest window.
const searchFraction = 0.25

// SplitLong cuts 16 kHz samples into segments of at most maxSeconds. Each
// cut falls in the middle of the quietest 32 ms window within the last 25 %
// before the limit, so words are rarely split. The segments share memory
// with samples. A non-positive maxSeconds, or audio within the limit,
// yields one segment; a limit shorter than 64 ms cuts at the limit exactly.
func SplitLong(samples []float32, maxSeconds float64) [][]float32 {
	limit := int(maxSeconds * sampleRate)
	if limit <= 0 || len(samples) <= limit {
		return [][]float32{samples}
	}
	var out [][]float32
	for len(samples) > limit {
		cut := limit
		if limit >= 2*quietWindow {
			lo := limit - max(int(searchFraction*float64(limit)), quietWindow)
			cut = quietestCut(samples, lo, limit)
		}
		out, samples = append(out, samples[:cut]), samples[cut:]
	}
	return append(out, samples)
}

// quietestCut returns the centre of the lowest-energy quietWindow within
// samples[lo:hi] (the later one on ties, to keep segments long).
func quietestCut(samples []float32, lo, hi int) int {
	var energy float64
	for _, v := range samples[lo : lo+quietWindow] {
		energy += float64(v) * float64(v)
	}
	best, bestStart := energy, lo
	for start := lo + 1; start+quietWindow <= hi; start++ {
		out, in := float64(samples[start-1]), float64(samples[start+quietWindow-1])
		energy += in*in - out*out
		if energy <= best {
			best, bestStart = energy, start
		}
	}
	return bestStart + quietWindow/2
}
