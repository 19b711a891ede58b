package frontend

// LFR stacks frames into low-frame-rate features by FunASR's rule: prepend
// (m-1)/2 copies of frame 0, emit ceil(T/n) outputs, output i being padded
// frames [n*i, n*i+m) concatenated, with frames past the end replaced by the
// last frame. Outputs are m*bins wide and share one backing array. Empty
// input, m < 1 or n < 1 yields nil. Input rows must all be the same width.
func LFR(feats [][]float32, m, n int) [][]float32 {
	if len(feats) == 0 || m < 1 || n < 1 {
		return nil
	}
	bins := len(feats[0])
	left := (m - 1) / 2
	out := newMatrix((len(feats)+n-1)/n, m*bins)
	for i, row := range out {
		for j := range m {
			copy(row[j*bins:(j+1)*bins], feats[lfrSource(i*n+j, left, len(feats))])
		}
	}
	return out
}

// lfrSource maps an index into the left-padded sequence to an input frame:
// the padding copies frame 0 and anything past the end is the last frame.
func lfrSource(k, left, t int) int {
	return min(max(k-left, 0), t-1)
}
