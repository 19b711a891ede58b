// Package pipeline is parley's conversation state machine: it listens
// (source -> VAD -> segmenter -> ASR), answers (LLM) and speaks (TTS ->
// player), and reports everything that happens as Events.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"parley/pipeline/asr"
	"parley/pipeline/llm"
	"parley/pipeline/tts"
	"parley/pipeline/turn"
)

// Options wires the stages together.
type Options struct {
	// Source is the microphone or a file.
	Source Source
	// VAD scores frames; Segmenter cuts utterances from the scores.
	VAD       VAD
	Segmenter Segmenter
	// ASR, Responder and TTS are the three engines.
	ASR       asr.Engine
	Responder llm.Responder
	TTS       tts.Engine
	// Player plays the answers.
	Player Player
	// Log receives every event before it is emitted; nil disables logging.
	Log *Log
	// HalfDuplex ignores the source while parley speaks (a microphone hears
	// the speakers); a file source has no echo and sets it false.
	HalfDuplex bool
	// History is the earlier conversation the first answer follows on
	// from (parley --continue; see History and LastConversation): the
	// responder gets it with every turn, before the turns of this run.
	History []llm.Message
	// EchoTail keeps the source ignored this long after playback ends.
	EchoTail time.Duration
	// PartialInterval is the least time between two partial transcripts.
	PartialInterval time.Duration
	// NewSplitter makes the splitter that cuts one reply into speakable
	// units; nil means llm.NewSplitter with its defaults.
	NewSplitter func() Splitter
	// Speakable turns a unit into the text to speak (markdown stripped);
	// nil speaks units as they are.
	Speakable func(string) string
	// BargeIn lets the user interrupt a reply by speaking (see SetBargeIn).
	BargeIn bool
	// PlaybackThreshold, when > 0, is the speech probability needed while
	// parley speaks with barge-in on: without (converged) echo cancellation
	// the microphone hears parley, so only surer speech counts.
	PlaybackThreshold float32
	// TalkingOver reports whether the input now holds more than parley's
	// own echo (an echo canceller's double-talk detector); nil means there
	// is no canceller, and PlaybackThreshold applies instead.
	TalkingOver func() bool
	// BargeInMinSpeech is how long speech over parley must last before it
	// interrupts (default 200 ms), so an echo burst cannot cut a reply.
	BargeInMinSpeech time.Duration
	// BargeInLevel is the RMS level (0..1) a frame needs, while parley
	// speaks, to count as the user's speech: the VAD hardly depends on
	// level, so echo left after cancellation would otherwise pass. 0 = off.
	BargeInLevel float32
	// SynthAheadUnits bounds the units of a reply synthesised and not yet
	// played in full (the one playing included); 0 means
	// DefaultSynthAheadUnits.
	SynthAheadUnits int
	// SynthAhead bounds the audio synthesised and waiting behind the unit
	// playing; 0 means DefaultSynthAhead.
	SynthAhead time.Duration
	// MaxSpokenChars bounds the characters of one reply that are spoken;
	// past it MoreNote is said and the rest is shown only. 0 means
	// DefaultMaxSpokenChars.
	MaxSpokenChars int
	// MoreNote is said when a reply passes MaxSpokenChars; "" means
	// DefaultMoreNote.
	MoreNote string
	// MaxReplyChars bounds the characters of one reply read from the
	// responder; the rest is not read. 0 means DefaultMaxReplyChars.
	MaxReplyChars int
	// Turn decides, at the segmenter's pauses (SegmentPause), when the
	// user's turn is over; nil waits for the segmenter's end of speech.
	Turn turn.Detector
	// Speculate starts the answer (language model and the first unit's
	// speech) at a pause, before Turn has decided; nothing plays until it
	// has, and speech that resumes drops it.
	Speculate bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Defaults of Options. They bound the memory one reply may take, however
// long the responder's stream: the text kept (DefaultMaxReplyChars), the
// text waiting to be spoken (DefaultMaxSpokenChars) and the audio
// synthesised ahead of the speaker (two units: one playing, the next ready,
// so playback has no gap while synthesis is faster than speech).
const (
	DefaultSynthAheadUnits = 2
	DefaultSynthAhead      = 10 * time.Second
	DefaultMaxSpokenChars  = 2000
	DefaultMaxReplyChars   = 50000
	DefaultMoreNote        = "…and more on screen."
)

// Pipeline runs one conversation.
type Pipeline struct {
	opts       Options
	events     chan Event
	utterances chan utterance
	turn       atomic.Uint64
	speaking   atomic.Bool
	muted      atomic.Bool
	talking    atomic.Bool
	bargeIn    atomic.Bool
	turns      turnControl
	inbox      inbox
	closeMu    sync.RWMutex
	closed     bool
	finishNow  atomic.Bool
	level      atomic.Uint32
	stateMu    sync.Mutex
	state      State
	// gone is closed flushTimeout after Run's context ends: emit stops
	// waiting for the reader then.
	gone     chan struct{}
	goneOnce sync.Once
}

// utterance is a final transcript on its way to the responder.
type utterance struct {
	turn      TurnID
	text      string
	speechEnd time.Time
	finalAt   time.Time
	speechMS  float64
	// end is set when a turn detector ends the turn: the decision, and the
	// answer started before it (see speculate.go).
	end *turnEnd
}

// New checks the options and returns a pipeline ready to Run.
func New(opts Options) (*Pipeline, error) {
	if opts.Source == nil || opts.VAD == nil || opts.Segmenter == nil || opts.ASR == nil ||
		opts.Responder == nil || opts.TTS == nil || opts.Player == nil {
		return nil, fmt.Errorf("pipeline: %w", ErrIncomplete)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PartialInterval <= 0 {
		opts.PartialInterval = 300 * time.Millisecond
	}
	if opts.BargeInMinSpeech <= 0 {
		opts.BargeInMinSpeech = 200 * time.Millisecond
	}
	opts.SynthAheadUnits = orDefault(opts.SynthAheadUnits, DefaultSynthAheadUnits)
	opts.SynthAhead = orDefault(opts.SynthAhead, DefaultSynthAhead)
	opts.MaxSpokenChars = orDefault(opts.MaxSpokenChars, DefaultMaxSpokenChars)
	opts.MaxReplyChars = orDefault(opts.MaxReplyChars, DefaultMaxReplyChars)
	opts.MoreNote = orDefault(opts.MoreNote, DefaultMoreNote)
	if opts.NewSplitter == nil {
		opts.NewSplitter = func() Splitter { return llm.NewSplitter(llm.SplitterOptions{}) }
	}
	if opts.Speakable == nil {
		opts.Speakable = func(s string) string { return s }
	}
	p := &Pipeline{
		opts:       opts,
		events:     make(chan Event, 256),
		utterances: make(chan utterance, 8),
		state:      StateListening,
		gone:       make(chan struct{}),
	}
	p.bargeIn.Store(opts.BargeIn)
	return p, nil
}

// orDefault returns v, or def when v is the zero value.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Events returns the event stream; it is closed when Run returns.
func (p *Pipeline) Events() <-chan Event {
	return p.events
}

// Level returns the RMS level (0..1) of the last frame heard.
func (p *Pipeline) Level() float32 {
	return math.Float32frombits(p.level.Load())
}

// State returns what the pipeline is doing now.
func (p *Pipeline) State() State {
	p.stateMu.Lock()
	defer p.stateMu.Unlock()
	return p.state
}

// SetMuted stops (true) or resumes (false) listening.
func (p *Pipeline) SetMuted(muted bool) {
	p.muted.Store(muted)
}

// SetPushToTalk starts (true) or ends (false) a push-to-talk utterance.
// While talking, parley listens even when muted; ending finalises the
// utterance at once instead of waiting for the silence hangover.
func (p *Pipeline) SetPushToTalk(talking bool) {
	if p.talking.Swap(talking) && !talking {
		p.finishNow.Store(true)
	}
}

// Notify records a notice from outside the pipeline (for example the UI)
// in the log and the event stream. It never blocks: a notice that finds
// the stream full is only logged.
func (p *Pipeline) Notify(text string) {
	p.post(Event{Kind: KindInfo, Text: text})
}

// NotifyError records an error from outside the pipeline (for example an
// audio device lost) as Notify records a notice.
func (p *Pipeline) NotifyError(text string) {
	p.post(Event{Kind: KindError, Text: text})
}

// closeEvents ends the event stream once Run is done.
func (p *Pipeline) closeEvents() {
	p.closeMu.Lock()
	defer p.closeMu.Unlock()
	p.closed = true
	close(p.events)
}

// Muted reports whether listening is stopped.
func (p *Pipeline) Muted() bool {
	return p.muted.Load()
}

// Run listens and answers until the source ends (after the last utterance
// has been answered and spoken) or ctx is cancelled. Once ctx is cancelled
// the turn in progress ends (reported interrupted) and every event still
// reaches Events before Run returns, unless the reader takes none for
// flushTimeout. Run closes Events.
func (p *Pipeline) Run(ctx context.Context) error {
	defer p.closeEvents()
	stopWaiting := context.AfterFunc(ctx, func() { time.AfterFunc(flushTimeout, p.giveUpOnReader) })
	defer stopWaiting()
	var wg sync.WaitGroup
	var listenErr, respondErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer p.closeUtterances()
		listenErr = p.listen(ctx)
	}()
	go func() {
		defer wg.Done()
		respondErr = p.respond(ctx)
	}()
	wg.Wait()
	p.setState(0, StateStopped)
	if ctx.Err() != nil {
		return ErrStopped
	}
	return errors.Join(listenErr, respondErr)
}

// flushTimeout is how long, once Run's context is cancelled, events wait
// for a reader that takes none: long enough for a printer or UI to drain
// the last turn, short enough that a reader that has gone cannot hold
// parley's exit.
const flushTimeout = time.Second

// giveUpOnReader stops emit from waiting for the reader.
func (p *Pipeline) giveUpOnReader() {
	p.goneOnce.Do(func() { close(p.gone) })
}

// emit logs an event and hands it to the reader; it blocks (never drops)
// until the reader takes it, or until the reader counts as gone (see
// readerGone). Partial transcripts are the exception: a stale partial is
// worthless, so one that finds the queue full is skipped.
func (p *Pipeline) emit(ev Event) {
	ev.Time = p.opts.Now()
	if p.opts.Log != nil {
		if err := p.opts.Log.Write(ev); err != nil && ev.Kind != KindError {
			p.emit(Event{Kind: KindError, Turn: ev.Turn, Text: err.Error()})
		}
	}
	if !p.visible(ev) {
		return
	}
	if ev.Kind == KindPartial {
		select {
		case p.events <- ev:
		default:
		}
		return
	}
	select {
	case p.events <- ev:
	case <-p.gone:
	}
}

func (p *Pipeline) emitError(turn TurnID, err error) {
	p.emit(Event{Kind: KindError, Turn: turn, Text: err.Error()})
}

func (p *Pipeline) setState(turn TurnID, s State) {
	p.stateMu.Lock()
	changed := p.state != s
	p.state = s
	p.stateMu.Unlock()
	if changed {
		p.emit(Event{Kind: KindState, Turn: turn, State: s, Text: string(s)})
	}
}

func ms(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}
