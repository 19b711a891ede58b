package audio

import "math"

// ResampleStream resamples an unbounded mono stream chunk by chunk with a
// Resampler's filter. Output k sits at input position k*from/to, where
// Process puts it on the whole signal, so the outputs equal Process's on
// the concatenated input. It holds the filter's window of input and what
// was written but not yet read: memory does not grow with the stream.
type ResampleStream struct {
	r     *Resampler
	step  float64   // input samples per output sample
	in    []float32 // input from absolute index base on
	base  int64
	total int64 // input samples written
	next  int64 // index of the next output
	ended bool
}

// Stream starts a stream with r's rates and filter.
func (r *Resampler) Stream() *ResampleStream {
	return &ResampleStream{r: r, step: float64(r.from) / float64(r.to)}
}

// Write appends input samples.
func (s *ResampleStream) Write(in []float32) {
	s.in = append(s.in, in...)
	s.total += int64(len(in))
}

// End marks the end of the input: the last outputs, whose filter windows
// run past it into silence, become ready.
func (s *ResampleStream) End() { s.ended = true }

// Read moves ready outputs into p and returns how many; 0 when the stream
// needs more input, or has delivered everything after End.
func (s *ResampleStream) Read(p []float32) int {
	n := 0
	for n < len(p) && s.ready(s.next) {
		p[n] = s.output(s.next)
		s.next++
		n++
	}
	s.trim()
	return n
}

// ready reports whether output k's filter window is complete.
func (s *ResampleStream) ready(k int64) bool {
	if s.ended {
		return k < int64(s.r.OutputLen(int(s.total)))
	}
	if s.r.from == s.r.to {
		return k < s.total
	}
	return int64(math.Floor(float64(k)*s.step))+int64(s.r.half) < s.total
}

func (s *ResampleStream) output(k int64) float32 {
	if s.r.from == s.r.to {
		return s.in[k-s.base]
	}
	return s.r.at(s.in, float64(k)*s.step-float64(s.base))
}

// appendReady appends the outputs whose filter windows are complete.
func (s *ResampleStream) appendReady(out []float32) []float32 {
	for ; s.ready(s.next); s.next++ {
		out = append(out, s.output(s.next))
	}
	s.trim()
	return out
}

// trim forgets input older than the next output's filter window.
func (s *ResampleStream) trim() {
	keep := int64(math.Floor(float64(s.next)*s.step)) - int64(s.r.half)
	if drop := keep - s.base; drop > 0 && drop <= int64(len(s.in)) {
		n := copy(s.in, s.in[drop:])
		s.in = s.in[:n]
		s.base = keep
	}
}

// StreamResampler is a ResampleStream for a caller that wants each push's
// outputs at once: its output k always sits at input position k*from/to,
// exactly as Resampler.Process would place it on the whole stream.
type StreamResampler struct {
	rs *ResampleStream
}

// NewStreamResampler returns a resampler of a stream at from Hz to to Hz.
func NewStreamResampler(from, to int) (*StreamResampler, error) {
	r, err := NewResampler(from, to)
	if err != nil {
		return nil, err
	}
	return &StreamResampler{rs: r.Stream()}, nil
}

// Push appends input and appends the outputs it completes to out.
func (s *StreamResampler) Push(out, in []float32) []float32 {
	s.rs.Write(in)
	return s.rs.appendReady(out)
}

// Next returns the index of the next output sample: how many it has made.
func (s *StreamResampler) Next() int64 { return s.rs.next }
