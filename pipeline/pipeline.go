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
	// Notices are emitted as KindInfo events when Run starts (engines
	// chosen, fallbacks), so the log and the UI record them.
	Notices []string
	// EchoTail keeps the source ignored this long after playback ends.
	EchoTail time.Duration
	// PartialInterval is the least time between two partial transcripts.
	PartialInterval time.Duration
	// NewSplitter makes the splitter that cuts one reply into speakable
	// units; nil cuts whole sentences.
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
	closeMu    sync.RWMutex
	closed     bool
	finishNow  atomic.Bool
	level      atomic.Uint32
	stats      *Stats
	stateMu    sync.Mutex
	state      State
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
	if opts.NewSplitter == nil {
		opts.NewSplitter = func() Splitter { return &sentenceSplitter{} }
	}
	if opts.Speakable == nil {
		opts.Speakable = func(s string) string { return s }
	}
	p := &Pipeline{
		opts:       opts,
		events:     make(chan Event, 256),
		utterances: make(chan utterance, 8),
		stats:      NewStats(),
		state:      StateListening,
	}
	p.bargeIn.Store(opts.BargeIn)
	return p, nil
}

// Events returns the event stream; it is closed when Run returns.
func (p *Pipeline) Events() <-chan Event {
	return p.events
}

// Stats returns the latency statistics since start.
func (p *Pipeline) Stats() *Stats {
	return p.stats
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
	ev := Event{Kind: KindInfo, Text: text, Time: p.opts.Now()}
	if p.opts.Log != nil {
		_ = p.opts.Log.Write(ev)
	}
	p.closeMu.RLock()
	defer p.closeMu.RUnlock()
	if p.closed {
		return
	}
	select {
	case p.events <- ev:
	default:
	}
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
// has been answered and spoken) or ctx is cancelled. It closes Events.
func (p *Pipeline) Run(ctx context.Context) error {
	defer p.closeEvents()
	for _, n := range p.opts.Notices {
		p.emit(ctx, Event{Kind: KindInfo, Text: n})
	}
	var wg sync.WaitGroup
	var listenErr, respondErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer close(p.utterances)
		listenErr = p.listen(ctx)
	}()
	go func() {
		defer wg.Done()
		respondErr = p.respond(ctx)
	}()
	wg.Wait()
	p.setState(ctx, 0, StateStopped)
	if ctx.Err() != nil {
		return ErrStopped
	}
	return errors.Join(listenErr, respondErr)
}

// emit logs an event and hands it to the reader; it blocks (never drops)
// unless ctx ends. Partial transcripts are the exception: a stale partial
// is worthless, so one that finds the queue full is skipped.
func (p *Pipeline) emit(ctx context.Context, ev Event) {
	ev.Time = p.opts.Now()
	if p.opts.Log != nil {
		if err := p.opts.Log.Write(ev); err != nil && ev.Kind != KindError {
			p.emit(ctx, Event{Kind: KindError, Turn: ev.Turn, Text: err.Error()})
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
	case <-ctx.Done():
	}
}

func (p *Pipeline) emitError(ctx context.Context, turn TurnID, err error) {
	p.emit(ctx, Event{Kind: KindError, Turn: turn, Text: err.Error()})
}

func (p *Pipeline) setState(ctx context.Context, turn TurnID, s State) {
	p.stateMu.Lock()
	changed := p.state != s
	p.state = s
	p.stateMu.Unlock()
	if changed {
		p.emit(ctx, Event{Kind: KindState, Turn: turn, State: s, Text: string(s)})
	}
}

func ms(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}
