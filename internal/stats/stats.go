// Package stats holds parley's one definition of a percentile, shared by
// the TUI's latency pane, the benchmark and the tests, so that their
// figures agree on the same data.
package stats

import "slices"

// Quantile returns the q-quantile (0..1, clamped) of values by linear
// interpolation between the closest ranks (numpy's default); 0 for no
// values. values is not modified.
func Quantile(values []float64, q float64) float64 {
	if len(values) == 0 {
		return 0
	}
	s := slices.Clone(values)
	slices.Sort(s)
	pos := min(max(q, 0), 1) * float64(len(s)-1)
	lo := int(pos)
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	frac := pos - float64(lo)
	return s[lo]*(1-frac) + s[lo+1]*frac
}
