package audio

import (
	"fmt"
	"time"
)

// EventKind says what a segmenter Event reports.
type EventKind int

// Event kinds, in the order an utterance produces them.
const (
	// SpeechStart opens an utterance: Samples holds the pre-roll (PreRoll
	// samples) followed by the frame that crossed the threshold.
	SpeechStart EventKind = iota + 1
	// Speech continues an utterance with one more frame (speech or hangover).
	Speech
	// SpeechEnd closes an utterance; Utterance holds all of it.
	SpeechEnd
	// SpeechCancel drops an utterance whose speech was shorter than
	// MinSpeech: whatever was fed downstream since SpeechStart is void.
	SpeechCancel
	// SpeechPause reports, once per pause and only with
	// SegmenterOptions.PauseAfter set, that the trailing silence of an
	// utterance long enough to keep (MinSpeech) reached PauseAfter: the user
	// may be done, though the utterance is still open. It follows the
	// frame's Speech event.
	SpeechPause
	// SpeechResume reports that speech came back after a SpeechPause,
	// before the utterance ended: it precedes the Speech event of the frame
	// that resumed it, which belongs to the same utterance.
	SpeechResume
)

// String returns the kind's name.
func (k EventKind) String() string {
	switch k {
	case SpeechStart:
		return "start"
	case Speech:
		return "speech"
	case SpeechEnd:
		return "end"
	case SpeechCancel:
		return "cancel"
	case SpeechPause:
		return "pause"
	case SpeechResume:
		return "resume"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// EndReason says why an utterance ended.
type EndReason int

// End reasons.
const (
	// EndSilence: MinSilence of silence followed the speech.
	EndSilence EndReason = iota + 1
	// EndMaxLength: the utterance reached MaxUtterance and was split.
	EndMaxLength
	// EndFlush: the input ended (Segmenter.Flush).
	EndFlush
)

// String returns the reason's name.
func (r EndReason) String() string {
	switch r {
	case EndSilence:
		return "silence"
	case EndMaxLength:
		return "max-length"
	case EndFlush:
		return "flush"
	}
	return fmt.Sprintf("EndReason(%d)", int(r))
}

// Event is one step of utterance detection. Slices are owned by the event.
type Event struct {
	// Kind says what happened.
	Kind EventKind
	// Samples is the new audio: pre-roll plus first frame for SpeechStart,
	// one frame for Speech, nil for SpeechEnd and SpeechCancel.
	Samples []float32
	// PreRoll is how many samples at the head of a SpeechStart's Samples
	// precede the threshold crossing.
	PreRoll int
	// Offset is the stream position (in samples since the segmenter started
	// or was Reset) of Samples[0]; for SpeechEnd and SpeechCancel, of the
	// utterance's first sample.
	Offset int64
	// Utterance is the whole utterance (pre-roll, speech and trailing
	// silence) on SpeechEnd.
	Utterance []float32
	// Speech is, on SpeechEnd and SpeechCancel, the time from the threshold
	// crossing to the start of the trailing silence.
	Speech time.Duration
	// Reason says why a SpeechEnd happened.
	Reason EndReason
	// Silence is, on SpeechPause, the trailing silence so far.
	Silence time.Duration
}

// Segmenter turns per-frame speech probabilities into utterances. It is a
// pure state machine: no clock, no goroutines, not safe for concurrent use.
//
// An utterance starts at the first frame with prob >= Threshold and is
// announced at once (so ASR can start while the user speaks); it ends after
// MinSilence of frames below NegThreshold (frames between the two thresholds
// neither start nor stop the silence count), or at MaxUtterance. If the
// speech before the trailing silence lasted less than MinSpeech the utterance
// is cancelled instead, and its tail stays available as pre-roll. No
// utterance exceeds MaxUtterance (plus one frame when a single frame with its
// pre-roll is longer); a longer one is split, the frame that does not fit
// starting the next. With PauseAfter set, a pause in an utterance is
// reported early (SpeechPause) and its end, if speech comes back first
// (SpeechResume); without it the events are exactly those above.
type Segmenter struct {
	opts                                        SegmenterOptions
	minSpeech, minSilence, preN, maxLen, pauseN int // in samples

	pos         int64     // samples consumed
	pre         []float32 // last preN samples while idle
	active      bool
	utt         []float32
	uttStart    int64 // stream offset of utt[0]
	speechStart int64 // stream offset of the threshold crossing
	silence     int   // trailing silence in samples
	paused      bool  // SpeechPause was reported for this silence
}

// NewSegmenter validates opts and returns an idle segmenter.
func NewSegmenter(opts SegmenterOptions) (*Segmenter, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	return &Segmenter{
		opts:       opts,
		minSpeech:  samplesOf(opts.MinSpeech),
		minSilence: samplesOf(opts.MinSilence),
		preN:       samplesOf(opts.PreRoll),
		maxLen:     samplesOf(opts.MaxUtterance),
		pauseN:     samplesOf(opts.PauseAfter),
	}, nil
}

func samplesOf(d time.Duration) int {
	return int(d * SampleRate / time.Second)
}

func durationOf(samples int64) time.Duration {
	return time.Duration(samples) * time.Second / SampleRate
}

// Options returns the options the segmenter was built with.
func (s *Segmenter) Options() SegmenterOptions { return s.opts }

// Active reports whether an utterance is in progress.
func (s *Segmenter) Active() bool { return s.active }

// Push takes one frame (any length, at SampleRate) and its speech
// probability and returns the events it causes, in order. frame is copied.
func (s *Segmenter) Push(prob float32, frame []float32) []Event {
	f := append([]float32(nil), frame...)
	if !s.active {
		if prob >= s.opts.Threshold {
			return s.begin(f)
		}
		s.remember(f)
		return nil
	}
	return s.extend(prob, f)
}

// remember keeps the last preN samples heard while idle.
func (s *Segmenter) remember(f []float32) {
	s.pos += int64(len(f))
	s.pre = append(s.pre, f...)
	if excess := len(s.pre) - s.preN; excess > 0 {
		s.pre = s.pre[:copy(s.pre, s.pre[excess:])]
	}
}

func (s *Segmenter) begin(f []float32) []Event {
	start := Event{Kind: SpeechStart, PreRoll: len(s.pre), Offset: s.pos - int64(len(s.pre))}
	start.Samples = append(append(make([]float32, 0, len(s.pre)+len(f)), s.pre...), f...)
	s.active, s.silence = true, 0
	s.utt = append([]float32(nil), start.Samples...)
	s.uttStart, s.speechStart = start.Offset, s.pos
	s.pos += int64(len(f))
	s.pre = s.pre[:0]
	return []Event{start}
}

func (s *Segmenter) extend(prob float32, f []float32) []Event {
	if len(s.utt)+len(f) > s.maxLen {
		// Split: close at MaxUtterance and let the frame start afresh.
		return append([]Event{s.end(EndMaxLength)}, s.Push(prob, f)...)
	}
	ev := Event{Kind: Speech, Samples: f, Offset: s.pos}
	s.utt = append(s.utt, f...)
	s.pos += int64(len(f))
	var out []Event
	switch {
	case prob >= s.opts.Threshold:
		if s.paused {
			out = append(out, Event{Kind: SpeechResume, Offset: ev.Offset})
		}
		s.silence, s.paused = 0, false
	case prob < s.opts.NegThreshold || s.silence > 0:
		s.silence += len(f)
	}
	out = append(out, ev)
	if s.silence >= s.minSilence {
		return append(out, s.end(EndSilence))
	}
	if s.pauseN > 0 && !s.paused && s.silence >= s.pauseN && s.speech() >= int64(s.minSpeech) {
		s.paused = true
		out = append(out, Event{Kind: SpeechPause, Offset: s.pos, Silence: durationOf(int64(s.silence))})
	}
	return out
}

// speech returns the samples from the threshold crossing to the start of
// the trailing silence.
func (s *Segmenter) speech() int64 {
	return s.pos - int64(s.silence) - s.speechStart
}

// end closes the utterance as SpeechEnd, or SpeechCancel when its speech
// was shorter than MinSpeech (a max-length split is never cancelled).
func (s *Segmenter) end(reason EndReason) Event {
	speech := s.speech()
	ev := Event{Kind: SpeechEnd, Offset: s.uttStart, Speech: durationOf(speech), Reason: reason}
	if reason != EndMaxLength && speech < int64(s.minSpeech) {
		ev.Kind, ev.Reason = SpeechCancel, 0
		s.pre = append(s.pre[:0], s.utt[max(0, len(s.utt)-s.preN):]...)
	} else {
		ev.Utterance = s.utt
	}
	s.active, s.utt, s.silence, s.paused = false, nil, 0, false
	return ev
}

// Flush ends an utterance in progress at the end of the input (SpeechEnd
// with EndFlush, or SpeechCancel if too short); nil when idle.
func (s *Segmenter) Flush() []Event {
	if !s.active {
		return nil
	}
	return []Event{s.end(EndFlush)}
}

// Reset drops any utterance in progress and the pre-roll, and restarts the
// stream position at zero.
func (s *Segmenter) Reset() {
	s.pos, s.pre, s.active, s.utt, s.silence, s.paused = 0, nil, false, nil, 0, false
}
