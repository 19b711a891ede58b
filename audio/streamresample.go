package audio

import "math"

// StreamResampler converts an unbounded mono stream with a Resampler's
// filter: each push appends input and returns the outputs whose filter
// window is complete, so its output k always sits at input position
// k*from/to, exactly as Resampler.Process would place it on the whole
// stream.
type StreamResampler struct {
	r    *Resampler
	step float64   // input samples per output sample
	in   []float32 // input from absolute index base on
	base int64
	next int64 // index of the next output
}

// NewStreamResampler returns a resampler of a stream at from Hz to to Hz.
func NewStreamResampler(from, to int) (*StreamResampler, error) {
	r, err := NewResampler(from, to)
	if err != nil {
		return nil, err
	}
	return &StreamResampler{r: r, step: float64(from) / float64(to)}, nil
}

// Push appends input and appends the outputs it completes to out.
func (s *StreamResampler) Push(out, in []float32) []float32 {
	if s.r.from == s.r.to {
		s.next += int64(len(in))
		return append(out, in...)
	}
	s.in = append(s.in, in...)
	end := s.base + int64(len(s.in))
	for {
		t := float64(s.next) * s.step
		if int64(math.Floor(t))+int64(s.r.half) >= end {
			break
		}
		out = append(out, s.r.at(s.in, t-float64(s.base)))
		s.next++
	}
	s.trim()
	return out
}

// trim forgets input older than the next output's filter window.
func (s *StreamResampler) trim() {
	keep := int64(math.Floor(float64(s.next)*s.step)) - int64(s.r.half)
	if drop := keep - s.base; drop > 0 && drop <= int64(len(s.in)) {
		n := copy(s.in, s.in[drop:])
		s.in = s.in[:n]
		s.base = keep
	}
}

// Next returns the index of the next output sample: how many it has made.
func (s *StreamResampler) Next() int64 { return s.next }
