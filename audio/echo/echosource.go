package echo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"parley/audio"
)

// echoActive is the reference RMS above which a frame counts as "playing"
// for the ERLE estimate (-60 dBFS).
const echoActive = 0.001

// EchoStats describe an EchoCancelledSource's work so far.
type EchoStats struct {
	// Frames is how many canceller frames were processed.
	Frames uint64
	// Missing is how many frames lacked part of their reference (the
	// speaker was not open, stalled, or the alignment was being redone).
	Missing uint64
	// Resyncs is how many times the reference stream restarted: the
	// speaker opened, or the reader fell behind by DefaultEchoBuffer.
	Resyncs uint64
	// Moves is how many times drift between the clocks moved the alignment.
	Moves uint64
	// Waited is how long Read waited for reference a playback callback was
	// about to deliver (see echoMaxWait).
	Waited time.Duration
	// ERLE is the echo return loss enhancement in dB (captured energy over
	// output energy) averaged over the last second or so of frames with
	// audible reference; NaN before any. Near-end speech lowers it.
	ERLE float64
	// Recent is the same reduction over the last ~30 ms; NaN when the
	// reference has been silent. Echo alone is cut by 15 dB or more; a
	// voice talking over it passes, so Recent falls to a few dB.
	Recent float64
	// Converged is set once ERLE has reached ConvergedERLE after at least
	// convergeFrames of audible reference: from then on the canceller
	// removes the played sound (it keeps adapting).
	Converged bool
}

// ConvergedERLE is the ERLE (dB) at which the canceller counts as converged.
const ConvergedERLE = 10

// convergeFrames is how much audible reference (10 ms frames) the ERLE must
// have seen before it can declare convergence: over the first frames the
// echo has not even arrived (the output path's delay), and the ratio of two
// near-silences says nothing.
const convergeFrames = 100

// echoCounters are EchoStats as atomics, written by the reader and read by
// anyone.
type echoCounters struct {
	frames, missing, resyncs, moves atomic.Uint64
	offset, waited                  atomic.Int64
	erle                            atomic.Uint64 // float64 bits
	recent                          atomic.Uint64 // float64 bits
	converged                       atomic.Bool
	refFrames                       atomic.Uint64 // frames with audible reference
}

var _ audio.Source = (*EchoCancelledSource)(nil)

// markedSource is a source whose samples carry a device clock (the Mic).
type markedSource interface {
	// CaptureMark returns where the capture clock stands.
	CaptureMark() (index uint64, nanos int64, ok bool)
	// NextIndex returns the capture index of the next sample Read returns.
	NextIndex() uint64
}

// EchoCancelledSource wraps a Source (normally a Mic) and removes from it
// the echo of what a Speaker plays, so the user can talk over parley on
// loudspeakers. The cancelling runs in Read, on the reader's goroutine: the
// capture callback only copies, as before. Read returns whole canceller
// frames, so audio reaches the caller at most one frame (10 ms) later, plus
// one more with residual suppression (the suppressor's overlap-add).
//
// Wiring:
//
//	ref := NewEchoReference(EchoReferenceOptions{})
//	sp, _ := OpenSpeaker(ctx, SpeakerOptions{EchoReference: ref})
//	mic, _ := OpenMic(ctx, MicOptions{})
//	aec, _ := NewEchoCanceller(EchoOptions{ResidualSuppression: true})
//	src, _ := NewEchoCancelledSource(mic, ref, aec) // read src, not mic
//
// Alignment: the Speaker's callback stamps how many samples it has handed
// over and when; the Mic's callback stamps how many it has captured and
// when. From the two clocks the reader computes, once and then only when
// they drift apart, a fixed offset between capture and reference sample
// indexes (see refStream.observe), minus EchoReferenceOptions.Latency. The
// device buffers that no callback reveals and the sound's flight stay in the
// echo path; the canceller's tail (200 ms by default) absorbs them. Measured
// on PulseAudio with a 60 ms loopback: the echo came 79-94 ms after its
// aligned reference at 18.75-25 ms playback periods, 102-106 ms at the
// 50 ms that auto now plays in.
//
// Real time: a frame whose reference is a moment late (a playback callback
// due now) waits for it, but only until the frame is echoMaxWait old by
// the capture clock. So waiting adds at most that much latency, and a
// reader that has fallen behind (a slow pipeline stage, a speaker slower
// than real time over a network) never waits and catches up at full speed.
type EchoCancelledSource struct {
	src    audio.Source
	marked markedSource // nil when src has no device clock
	ref    *refStream
	aec    *EchoCanceller

	mu          sync.Mutex // serialises Read
	started     bool
	in          []float32 // captured, not yet a whole frame
	inIndex     uint64    // capture index of in[0]
	pending     []float32 // cancelled, not yet returned
	err         error     // the source's error, returned once pending is empty
	readBuf     []float32
	refBuf      []float32
	outBuf      []float32
	ein, eout   float64 // smoothed energies for the ERLE estimate (~1 s)
	quietFrames int     // frames since the reference last played
	rin, rout   float64 // the same over ~30 ms, for Recent
	tap         func(captured, reference, output []float32)
}

// NewEchoCancelledSource returns src with the echo of ref's speaker removed
// by aec. It takes ownership of src and aec: Close closes both. Nothing
// else may read src.
func NewEchoCancelledSource(src audio.Source, ref *EchoReference, aec *EchoCanceller) (*EchoCancelledSource, error) {
	if src == nil || ref == nil || aec == nil {
		return nil, fmt.Errorf("echo cancelled source: missing source, reference or canceller: %w", audio.ErrInvalidOptions)
	}
	if r := aec.Options().SampleRate; r != audio.SampleRate {
		return nil, fmt.Errorf("echo cancelled source: canceller at %d Hz, sources deliver %d Hz: %w", r, audio.SampleRate, audio.ErrInvalidOptions)
	}
	n := aec.FrameSize()
	s := &EchoCancelledSource{
		src: src, ref: newRefStream(ref), aec: aec,
		readBuf: make([]float32, 4*n), refBuf: make([]float32, n), outBuf: make([]float32, n),
	}
	s.marked, _ = src.(markedSource)
	return s, nil
}

// Read implements Source: it blocks until a frame has been captured and
// cancelled, ctx is done or the source fails.
func (s *EchoCancelledSource) Read(ctx context.Context, p []float32) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.pending) == 0 && len(p) > 0 {
		if s.err != nil {
			return 0, s.err
		}
		if err := s.fill(ctx); err != nil && len(s.pending) == 0 {
			return 0, err
		}
	}
	n := copy(p, s.pending)
	s.pending = s.pending[n:]
	return n, nil
}

// fill reads once from the source and cancels every whole frame it has;
// errors other than ctx's stick.
func (s *EchoCancelledSource) fill(ctx context.Context) error {
	if !s.started && s.marked != nil {
		s.inIndex = s.marked.NextIndex()
	}
	s.started = true
	n, err := s.src.Read(ctx, s.readBuf)
	s.in = append(s.in, s.readBuf[:n]...)
	mark := captureMark{index: s.inIndex + uint64(len(s.in)), nanos: time.Now().UnixNano()}
	if s.marked != nil {
		if i, n, ok := s.marked.CaptureMark(); ok {
			mark = captureMark{index: i, nanos: n}
		}
	}
	if perr := s.processFrames(mark); perr != nil {
		s.err = perr
		return perr
	}
	if err != nil && ctx.Err() == nil {
		s.err = err // the source is done (closed, lost, EOF); a cancelled ctx is not
	}
	return err
}

func (s *EchoCancelledSource) processFrames(mark captureMark) error {
	fs := s.aec.FrameSize()
	done := 0
	for ; done+fs <= len(s.in); done += fs {
		captured := s.in[done : done+fs]
		c := s.inIndex + uint64(done)
		s.ref.align(mark)
		s.ref.frame(c, s.refBuf, mark.at(c+uint64(fs)))
		if err := s.cancel(captured); err != nil {
			return err
		}
		s.account(captured)
		s.pending = append(s.pending, s.outBuf...)
	}
	s.in = s.in[:copy(s.in, s.in[done:])]
	s.inIndex += uint64(done)
	return nil
}

// cancel fills outBuf from one captured frame. While nothing has played for
// longer than the canceller's tail there is no echo to remove, so the frame
// passes unchanged: the user's own speech reaches the recogniser as the
// microphone heard it, and the canceller keeps what it learnt of the room.
func (s *EchoCancelledSource) cancel(captured []float32) error {
	if audio.RMS(s.refBuf) >= echoActive {
		s.quietFrames = 0
	} else {
		s.quietFrames++
	}
	tail := s.aec.Options().TailLength
	frame := time.Duration(s.aec.FrameSize()) * time.Second / audio.SampleRate
	if time.Duration(s.quietFrames)*frame > tail {
		copy(s.outBuf, captured)
		return nil
	}
	return s.aec.ProcessInto(s.outBuf, captured, s.refBuf)
}

// account updates the statistics after one frame.
func (s *EchoCancelledSource) account(captured []float32) {
	st := &s.ref.stats
	st.frames.Add(1)
	if s.tap != nil {
		s.tap(captured, s.refBuf, s.outBuf)
	}
	if audio.RMS(s.refBuf) < echoActive {
		s.rin, s.rout = 0, 0
		st.recent.Store(math.Float64bits(math.NaN()))
		return
	}
	const keep, keepRecent = 0.99, 0.7 // ~1 s and ~30 ms at 10 ms frames
	in, out := energy32(captured), energy32(s.outBuf)
	s.ein, s.eout = keep*s.ein+in, keep*s.eout+out
	s.rin, s.rout = keepRecent*s.rin+in, keepRecent*s.rout+out
	erle := 10 * math.Log10((s.ein+1e-12)/(s.eout+1e-12))
	st.erle.Store(math.Float64bits(erle))
	st.recent.Store(math.Float64bits(10 * math.Log10((s.rin+1e-12)/(s.rout+1e-12))))
	if st.refFrames.Add(1) >= convergeFrames && erle >= ConvergedERLE {
		st.converged.Store(true)
	}
}

func energy32(x []float32) float64 {
	var e float64
	for _, v := range x {
		e += float64(v) * float64(v)
	}
	return e
}

// Stats returns the counters so far; safe to call from any goroutine.
func (s *EchoCancelledSource) Stats() EchoStats {
	st := &s.ref.stats
	erle := math.NaN()
	if b := st.erle.Load(); b != 0 {
		erle = math.Float64frombits(b)
	}
	recent := math.NaN()
	if b := st.recent.Load(); b != 0 {
		recent = math.Float64frombits(b)
	}
	return EchoStats{
		Frames: st.frames.Load(), Missing: st.missing.Load(), Resyncs: st.resyncs.Load(),
		Moves: st.moves.Load(), Waited: time.Duration(st.waited.Load()), ERLE: erle, Recent: recent, Converged: st.converged.Load(),
	}
}

// Close implements Source: it closes the wrapped source (waking a blocked
// Read) and frees the canceller. Closing twice is harmless.
func (s *EchoCancelledSource) Close() error {
	return errors.Join(s.src.Close(), s.aec.Close())
}

// doubleTalkDB is the most the canceller may have removed from the last
// ~30 ms for it to count as someone talking over the played sound: echo
// alone is cut by 15 dB or more, a voice on top passes nearly whole.
const doubleTalkDB = 6

// TalkingOver is the double-talk rule: it reports whether the input now
// holds more than the played sound's echo, i.e. someone talks over it.
// Until the canceller has converged the played sound passes it almost
// unchanged, so nothing counts as talking over it.
func (s *EchoCancelledSource) TalkingOver() bool {
	st := s.Stats()
	return st.Converged && !(st.Recent >= doubleTalkDB)
}
