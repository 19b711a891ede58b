package echo

import (
	"math"
	"time"

	"parley/audio"
)

// Alignment tuning.
const (
	// echoHistory is how much resampled reference the reader keeps: the
	// capture side may lag the playback side by its ring plus the latency.
	echoHistory = audio.DefaultMicBuffer + time.Second
	// echoResyncEvery is how often (in canceller frames) the offset is
	// checked against the clocks; echoResyncSlack is the disagreement that
	// moves it. Moving the reference makes the filter re-adapt, so only a
	// real change is worth it (clock drift between two devices, a backend
	// that re-buffered); 10 ms is a twentieth of the default tail.
	echoResyncEvery = 50
	echoResyncSlack = 10 * time.Millisecond
	// echoPhaseWindow is how many observations (canceller frames) one bucket
	// of a phase tracker spans: 1 s, so the trackers see many callbacks of
	// each device and forget a re-buffering within 2 s.
	echoPhaseWindow = 100
	// echoMinObservations is how many frames are observed before the first
	// alignment (200 ms, about eight 25 ms callbacks of each device).
	echoMinObservations = 20
	// echoStale is how old the playback's latest callback may be before the
	// speaker counts as stopped (its reference as silence).
	echoStale = 100 * time.Millisecond
	// echoLateFrames is how many consecutive frames must find their
	// reference unplayed before the offset is moved back: one late playback
	// callback (a loaded machine) only costs a frame of partial reference,
	// while a wrong offset is fixed within 50 ms.
	echoLateFrames = 5
	// echoClampMargin is how far behind the newest played sample the
	// reference moves when it was found ahead of it.
	echoClampMargin = 5 * time.Millisecond
	// echoMaxWait is how old (by the capture clock) a frame may get while
	// it waits for its reference: the latency waiting may add. Why a bound
	// from capture and not per frame: a speaker slower than real time
	// (small buffers over a slow network) makes every frame's reference
	// late, and a per-frame wait then held capture to the speaker's pace,
	// about 0.4x real time over SSH at a 100 ms round trip. 50 ms covers
	// a local playback callback due now (50 ms periods; 18.75-25 ms with
	// audio.latency set small); a remote
	// period (400 ms) is not waited for in whole: its reference comes early.
	echoMaxWait = 50 * time.Millisecond
)

// captureMark is where a capture stream's clock stands: it had stored index
// samples at nanos (UnixNano).
type captureMark struct {
	index uint64
	nanos int64
}

// at returns when capture sample index was captured, by this mark's clock.
func (m captureMark) at(index uint64) time.Time {
	behind := int64(m.index) - int64(index)
	return time.Unix(0, m.nanos-behind*int64(time.Second)/audio.SampleRate)
}

// refStream is the reader's side of an EchoReference: it drains the played
// samples, resamples them to SampleRate into a history indexed from the
// last reset, and maps capture sample indexes onto it. One goroutine owns it.
type refStream struct {
	ref     *EchoReference
	rs      *audio.StreamResampler
	rate    int
	scratch []float32
	hist    []float32 // reference at SampleRate; hist[len-1] has index histEnd-1
	histEnd int64
	base    uint64 // ring read count (device samples) at the last reset
	seen    uint64 // ring drops already handled

	offset   int64 // reference index minus capture index
	synced   bool
	t0       int64         // UnixNano origin of the phases
	spkPhase windowExtreme // reference index minus time, in samples: max
	micPhase windowExtreme // time minus capture index, in samples: min
	frames   int
	late     int // consecutive frames whose reference came too late
	stats    echoCounters
}

func newRefStream(ref *EchoReference) *refStream {
	return &refStream{ref: ref, scratch: make([]float32, 4096)}
}

// drain moves everything played so far into the history. It resets the
// stream (and asks for a new offset) when the device rate becomes known or
// changes, or the ring dropped samples, which breaks the sample count.
func (s *refStream) drain() {
	if r := s.ref.deviceRate(); r != s.rate && r != 0 {
		s.rs = nil // a Speaker (re)opened at another rate
	}
	if s.rs == nil && !s.start() {
		return
	}
	for {
		n := s.ref.ring.Read(s.scratch)
		if n == 0 {
			break
		}
		s.hist = s.rs.Push(s.hist, s.scratch[:n])
	}
	if d := s.ref.ring.Dropped(); d != s.seen {
		s.seen = d
		s.reset()
	}
	s.histEnd = s.rs.Next()
	if limit := samplesOf(echoHistory); len(s.hist) > limit {
		n := copy(s.hist, s.hist[len(s.hist)-limit:])
		s.hist = s.hist[:n]
	}
}

// start builds the resampler once the Speaker has opened.
func (s *refStream) start() bool {
	rate := s.ref.deviceRate()
	if rate == 0 {
		return false
	}
	rs, err := audio.NewStreamResampler(rate, audio.SampleRate)
	if err != nil {
		return false
	}
	s.rs, s.rate = rs, rate
	s.reset()
	return true
}

// reset drops the history and starts counting from what is unread now.
func (s *refStream) reset() {
	s.rs, _ = audio.NewStreamResampler(s.rate, audio.SampleRate)
	s.hist, s.histEnd, s.synced = s.hist[:0], 0, false
	s.base = s.ref.ring.Consumed()
	s.t0, s.frames = 0, 0
	s.spkPhase = windowExtreme{sign: 1}
	s.micPhase = windowExtreme{sign: -1}
	s.stats.resyncs.Add(1)
}

// observe feeds the latest marks of both clocks to the phase trackers.
//
// Why extremes: a device callback can run late (scheduling, a burst after a
// stall) but never before its samples exist. The playback phase (samples
// handed minus time) is therefore largest at the callbacks that ran on
// time with the fullest buffer, and the capture phase (time minus samples
// delivered) smallest at the callbacks that ran closest to capture. Taking
// the max and the min over the last 1-2 s ignores jitter and bursts, still
// follows drift, and errs toward a reference that leads its echo, which
// the canceller's tail absorbs.
func (s *refStream) observe(mic captureMark) bool {
	played, pnanos, ok := s.ref.clock.Read()
	if !ok || played < s.base {
		return false
	}
	if s.t0 == 0 {
		s.t0 = pnanos
	}
	step := float64(s.rate) / audio.SampleRate
	s.spkPhase.observe(float64(played-s.base)/step - float64(pnanos-s.t0)*audio.SampleRate/1e9)
	s.micPhase.observe(float64(mic.nanos-s.t0)*audio.SampleRate/1e9 - float64(mic.index))
	return true
}

// estimate returns the offset the trackers imply: the reference sample
// heard at capture index c is the one handed to the device latency before
// c was captured.
func (s *refStream) estimate() int64 {
	lat := float64(s.ref.latencyFor(s.rate)) * audio.SampleRate / 1e9
	return int64(math.Round(s.spkPhase.value() + s.micPhase.value() - lat))
}

// align updates the offset: first after echoMinObservations frames, then,
// with a second of observations, whenever the estimate has moved by more
// than echoResyncSlack.
func (s *refStream) align(mic captureMark) {
	if !s.observe(mic) {
		return
	}
	s.frames++
	switch {
	case !s.synced && s.frames >= echoMinObservations:
		s.offset, s.synced = s.estimate(), true
		s.stats.offset.Store(s.offset)
	case s.synced && s.frames >= echoPhaseWindow && s.frames%echoResyncEvery == 0:
		e := s.estimate()
		if d := e - s.offset; d > int64(samplesOf(echoResyncSlack)) || -d > int64(samplesOf(echoResyncSlack)) {
			s.offset = e
			s.stats.offset.Store(e)
			s.stats.moves.Add(1)
		}
	}
}

// windowExtreme tracks the maximum (sign 1) or minimum (sign -1) of a
// series over the last one to two windows of echoPhaseWindow values.
type windowExtreme struct {
	sign      float64
	cur, prev float64 // sign-adjusted maxima of the current and last bucket
	n         int
	full      bool // prev holds a whole bucket
}

func (w *windowExtreme) observe(v float64) {
	v *= w.sign
	if w.n == 0 || v > w.cur {
		w.cur = v
	}
	if w.n++; w.n == echoPhaseWindow {
		w.prev, w.full, w.n = w.cur, true, 0
	}
}

func (w *windowExtreme) value() float64 {
	switch {
	case w.full && w.n > 0:
		return w.sign * max(w.prev, w.cur)
	case w.full:
		return w.sign * w.prev
	default:
		return w.sign * w.cur
	}
}

// frame fills ref with the reference for capture samples [c, c+len(ref)),
// the last of them captured at captured; what is missing (nothing played
// yet, speaker closed) is silence.
func (s *refStream) frame(c uint64, ref []float32, captured time.Time) {
	clear(ref)
	s.drain()
	if !s.synced {
		return
	}
	if to := int64(c) + s.offset + int64(len(ref)); to <= s.histEnd || s.await(to, captured.Add(echoMaxWait)) {
		s.late = 0
	} else if s.late++; s.late >= echoLateFrames {
		s.clamp(to)
	}
	from := int64(c) + s.offset
	histStart := s.histEnd - int64(len(s.hist))
	lo, hi := max(from, histStart), min(from+int64(len(ref)), s.histEnd)
	if lo >= hi {
		s.stats.missing.Add(1)
		return
	}
	copy(ref[lo-from:], s.hist[lo-histStart:hi-histStart])
	if hi-lo < int64(len(ref)) {
		s.stats.missing.Add(1)
	}
}

// await waits for the reference up to index to, at most two playback
// periods and never past deadline: the freshest capture frame may need a
// sample from the playback callback that is due now, but a frame that is
// already old (the reader is behind) must not wait (see echoMaxWait). It
// returns whether the reference arrived; false at once when the speaker
// has stopped.
func (s *refStream) await(to int64, deadline time.Time) bool {
	_, at, ok := s.ref.clock.Read()
	if !ok || time.Since(time.Unix(0, at)) > echoStale {
		return false
	}
	wait := min(2*s.ref.periodTime(s.rate), time.Until(deadline))
	if lag := time.Duration(to-s.histEnd) * time.Second / audio.SampleRate; wait <= 0 || lag > wait {
		return false
	}
	start := time.Now()
	defer func() { s.stats.waited.Add(int64(time.Since(start))) }()
	t := time.NewTimer(wait)
	defer t.Stop()
	for s.histEnd < to && s.synced {
		select {
		case <-s.ref.ring.Ready():
			s.drain()
		case <-t.C:
			return false
		}
	}
	return s.histEnd >= to
}

// clamp handles a frame whose reference has not been played yet. With the
// speaker running that cannot be right (a sound is heard after it is
// handed over), so the estimate is too high, typically from a device's
// start-up burst: move the offset back to what exists, and restart the
// trackers so the burst is forgotten.
func (s *refStream) clamp(to int64) {
	if _, at, ok := s.ref.clock.Read(); !ok || time.Since(time.Unix(0, at)) > echoStale || !s.synced {
		return // the speaker stopped (closed, or its device was lost)
	}
	s.offset -= to - s.histEnd + int64(samplesOf(echoClampMargin))
	s.stats.offset.Store(s.offset)
	s.stats.moves.Add(1)
	s.frames, s.late = 0, 0
	s.spkPhase = windowExtreme{sign: 1}
	s.micPhase = windowExtreme{sign: -1}
}

// samplesOf converts a duration to a number of samples at audio.SampleRate.
func samplesOf(d time.Duration) int {
	return int(d * audio.SampleRate / time.Second)
}
