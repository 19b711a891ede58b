package pipeline

import (
	"slices"
	"sync"
)

// Percentiles keeps every sample of one latency figure since start and
// answers percentiles. A conversation has few turns, so keeping them all is
// cheap and exact.
type Percentiles struct {
	mu      sync.Mutex
	samples []float64
}

// Add records one sample.
func (p *Percentiles) Add(v float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.samples = append(p.samples, v)
}

// Count returns the number of samples.
func (p *Percentiles) Count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.samples)
}

// Quantile returns the q-quantile (0..1) by linear interpolation between
// closest ranks, or 0 when there are no samples.
func (p *Percentiles) Quantile(q float64) float64 {
	p.mu.Lock()
	sorted := slices.Clone(p.samples)
	p.mu.Unlock()
	return Quantile(sorted, q)
}

// Quantile returns the q-quantile (0..1) of values by linear interpolation
// between closest ranks; it sorts values in place. It returns 0 for none.
func Quantile(values []float64, q float64) float64 {
	if len(values) == 0 {
		return 0
	}
	slices.Sort(values)
	q = min(max(q, 0), 1)
	pos := q * float64(len(values)-1)
	lo := int(pos)
	if lo >= len(values)-1 {
		return values[len(values)-1]
	}
	frac := pos - float64(lo)
	return values[lo]*(1-frac) + values[lo+1]*frac
}

// Stats holds the percentiles of every per-turn latency since start, keyed
// by the TurnMetrics JSON names (asr_final, voice_to_voice, ...).
type Stats struct {
	mu     sync.Mutex
	byName map[string]*Percentiles
}

// NewStats returns empty statistics.
func NewStats() *Stats {
	return &Stats{byName: map[string]*Percentiles{}}
}

// AddTurn records the measured (non-zero) figures of one turn.
func (s *Stats) AddTurn(m TurnMetrics) {
	for name, v := range m.Figures() {
		if v > 0 {
			s.get(name).Add(v)
		}
	}
}

// Quantile returns the q-quantile of the named figure, and how many turns
// measured it.
func (s *Stats) Quantile(name string, q float64) (float64, int) {
	p := s.get(name)
	return p.Quantile(q), p.Count()
}

func (s *Stats) get(name string) *Percentiles {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.byName[name]
	if !ok {
		p = &Percentiles{}
		s.byName[name] = p
	}
	return p
}
