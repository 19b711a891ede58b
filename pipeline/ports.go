package pipeline

import (
	"context"
	"time"
)

// FrameSize is the number of 16 kHz samples the pipeline hands the VAD at a
// time (32 ms, Silero VAD v5's chunk).
const FrameSize = 512

// SampleRate is the rate of everything the pipeline hears.
const SampleRate = 16000

// Source delivers 16 kHz mono samples in [-1, 1]: a microphone or a file.
type Source interface {
	// Read fills p and returns how many samples it wrote; io.EOF ends a file.
	Read(ctx context.Context, p []float32) (int, error)
}

// VAD scores one FrameSize frame with a speech probability.
type VAD interface {
	// Prob returns the probability that frame holds speech.
	Prob(ctx context.Context, frame []float32) (float32, error)
	// Reset forgets the recurrent state (after a gap in the audio).
	Reset()
}

// SegmentKind is what a Segment reports.
type SegmentKind int

// Segment kinds.
const (
	// SegmentStart opens an utterance; Samples holds the pre-roll and the first frame.
	SegmentStart SegmentKind = iota + 1
	// SegmentAudio continues an utterance with more samples.
	SegmentAudio
	// SegmentEnd closes an utterance; Samples may hold its last samples.
	SegmentEnd
	// SegmentCancel drops an utterance that turned out too short.
	SegmentCancel
	// SegmentPause says that the user has been silent for Silence within
	// an utterance that is still open: the turn may be over (see
	// Options.Turn).
	SegmentPause
	// SegmentResume says that speech came back after a SegmentPause; the
	// utterance goes on.
	SegmentResume
)

// Segment is one step of utterance detection.
type Segment struct {
	// Kind says what happened.
	Kind SegmentKind
	// Samples is the audio belonging to this step.
	Samples []float32
	// Silence is, on SegmentEnd, how long the user had already been silent
	// when the end was detected (the hangover); 0 for a cut or flush. On
	// SegmentPause it is the silence so far.
	Silence time.Duration
}

// Segmenter turns per-frame probabilities into utterances.
type Segmenter interface {
	// Push takes one frame and its speech probability.
	Push(prob float32, frame []float32) []Segment
	// Flush closes an utterance in progress: at the end of the input, or
	// when the turn detector has ended the turn.
	Flush() []Segment
	// Reset drops any utterance in progress.
	Reset()
}

// Player plays synthesised speech.
type Player interface {
	// Play queues mono samples at rate and returns at once.
	Play(ctx context.Context, samples []float32, rate int) (Playback, error)
	// Flush stops playback and drops everything queued.
	Flush()
}

// Playback follows one queued sound.
type Playback interface {
	// Started returns when the first sample reached the device, once it has.
	Started() (time.Time, bool)
	// Wait blocks until the sound has been played or flushed.
	Wait(ctx context.Context) error
	// Flushed reports whether Flush dropped the sound before it ended.
	Flushed() bool
}

// Splitter cuts a streamed reply into speakable units (sentences; the first
// may end at a clause) as the pieces arrive.
type Splitter interface {
	// Push adds a piece of the reply and returns the units it completed.
	Push(delta string) []string
	// Flush returns what is left at the end of the reply.
	Flush() []string
}
