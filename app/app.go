// Package app is parley's application layer: it builds one conversation
// from the configuration (engines, language model, audio ends, log and
// pipeline), runs it, and serves the front ends (TUI, headless) what they
// show and the commands they send. The engine choice lives here too, as
// pure functions that doctor, transcribe and bench share.
package app

import (
	"context"
	"errors"
	"io"
	"time"

	"golang.org/x/sync/errgroup"

	"parley/config"
	"parley/gpu"
	"parley/internal/prefs"
	"parley/pipeline"
	"parley/pipeline/llm"
)

// Options are what the command line adds to the configuration.
type Options struct {
	// Input is a WAV file to listen to instead of the microphone; the run
	// ends after its last utterance.
	Input string
	// Fast reads Input as fast as possible instead of in real time.
	Fast bool
	// InputDevice and OutputDevice, when set, override audio.input_device
	// and audio.output_device.
	InputDevice, OutputDevice string
	// Pinned says which choices the user fixed (see Pins).
	Pinned Pins
	// Continue carries on the last conversation of the state folder: shown
	// (Resumed), sent as history within llm.max_history_chars, and copied
	// into this run's log.
	Continue bool
	// Lines, when set, are typed turns, one per line (headless, with a
	// pipe on standard input). The run does not end before the last one
	// is answered.
	Lines io.Reader
	// NoMic opens no microphone: without Input, parley answers Lines only
	// and the run ends once they are answered.
	NoMic bool
}

// App is one conversation: the engines, the language model, the audio
// ends, the conversation log and the pipeline that joins them.
type App struct {
	eng      *Engines
	llm      llm.Responder
	llmWatch func(context.Context) error // probes an unreachable server; nil when none
	audio    *Audio
	log      *pipeline.Log
	pipe     *pipeline.Pipeline
	events   <-chan pipeline.Event // the pipeline's, through the audio ends (see Audio.attach)

	live      *liveAudio
	client    *llm.OpenAI // the LLM server's client; nil for llm.engine = offline
	prefs     *prefs.Store
	pins      Pins
	notices   []pipeline.Notice // said at start after the facts
	resumed   pipeline.Conversation
	lines     io.Reader
	linesDone chan struct{} // closed once every line of lines is queued
	gpu       *gpuFeed
}

// Open builds the conversation: the engines first (a bad model fails before
// any audio device opens), then the language model, the audio ends, the
// log and the pipeline. The caller closes the App.
func Open(ctx context.Context, cfg config.Config, opts Options) (*App, error) {
	eng, err := OpenEngines(ctx, cfg, RoleVAD|RoleASR|RoleTTS|RoleTurn)
	if err != nil {
		return nil, err
	}
	a := &App{eng: eng, gpu: newGPUFeed(), prefs: prefs.NewStore(eng.StateDir), pins: opts.Pinned, lines: opts.Lines, linesDone: make(chan struct{})}
	if err := a.open(ctx, opts); err != nil {
		_ = a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) open(ctx context.Context, opts Options) error {
	remembered := a.recall(&opts)
	if err := a.openLLM(); err != nil {
		return err
	}
	au, err := OpenAudio(ctx, a.eng.Config.Audio, opts)
	if err != nil && a.forget(&opts, remembered, err) {
		au, err = OpenAudio(ctx, a.eng.Config.Audio, opts)
	}
	if err != nil {
		return err
	}
	a.audio = au
	a.eng.onClose(au.Close)
	a.notices = append(a.notices, au.Notices...)
	if opts.Continue {
		a.resume()
	}
	if err := a.openLog(); err != nil {
		return err
	}
	if err := a.newPipeline(); err != nil {
		return err
	}
	a.eng.relay.connect(a.engineReport)
	return nil
}

// openLog opens this run's conversation log, which starts with the turns
// it continues.
func (a *App) openLog() error {
	log, err := pipeline.OpenLog(a.eng.StateDir, time.Now())
	if err != nil {
		return err
	}
	a.log = log
	a.eng.onClose(log.Close)
	return log.WriteTurns(a.resumed.Turns, time.Now())
}

// Close releases everything in reverse order of opening.
func (a *App) Close() error {
	return a.eng.Close()
}

// gpuWatchInterval is how often the GPUs are read while running (memory
// pressure checked, the GPU pane refreshed): the UI pane's own period.
const gpuWatchInterval = time.Second

// Run runs the conversation until the input ends, ctx is done or the
// pipeline fails; a clean stop returns pipeline.ErrStopped. Meanwhile a
// watcher probes an unreachable LLM server, the audio devices' losses and
// returns are shown, and one poller reads the GPUs for the UI; when models
// can move to a GPU it is the GPU manager's, which checks free memory and
// moves the lowest-priority model to the CPU under pressure (its state
// then says why). The watchers have ended when Run returns.
func (a *App) Run(ctx context.Context) error {
	watchCtx, stop := context.WithCancel(ctx)
	var g errgroup.Group
	if a.llmWatch != nil {
		g.Go(func() error { return quiet(a.llmWatch(watchCtx)) })
	}
	if a.lines != nil {
		go a.readLines(watchCtx)
	}
	g.Go(func() error { a.reportAudio(watchCtx); return nil })
	g.Go(func() error { a.watchGPUs(watchCtx); return nil })
	err := a.pipe.Run(ctx)
	stop()
	_ = g.Wait()
	return err
}

// quiet drops a watcher's error: watchers stop when Run cancels them, and
// their findings reach the user as notices and model states, not errors.
func quiet(error) error { return nil }

// Events returns the conversation's events; the stream closes when Run
// returns.
func (a *App) Events() <-chan pipeline.Event {
	return a.events
}

// Stopped reports whether err is the end of a clean run rather than a failure.
func Stopped(err error) bool {
	return err == nil || errors.Is(err, pipeline.ErrStopped)
}

// Info names the engines and the conversation log.
type Info struct {
	// VAD, ASR, TTS and LLM name the engines.
	VAD, ASR, TTS, LLM string
	// LogPath is the conversation log (JSONL).
	LogPath string
	// Audio is the delay the audio path adds to what voice_to_voice says.
	Audio AddedLatency
}

// Info names the running engines and the conversation log, and says what
// the audio path adds now.
func (a *App) Info() Info {
	e := a.eng
	return Info{VAD: e.VADName(), ASR: e.ASR.Name(), TTS: e.TTS.Name(), LLM: a.llm.Name(), LogPath: a.log.Path(), Audio: a.addedLatency()}
}

// SampleGPU returns the GPU poller's next reading of every GPU (or why
// there is none), waiting for it until ctx ends; it never reads NVML
// itself, so the UI's pane and the memory watch share one poller.
func (a *App) SampleGPU(ctx context.Context) gpu.Snapshot {
	return a.gpu.next(ctx)
}

// Level returns the input's latest RMS and peak (0-1): the microphone's
// (or the browser page's) meter, or the pipeline's for a file.
func (a *App) Level() (rms, peak float32) {
	if rms, peak, ok := a.audio.pageLevel(); ok {
		return rms, peak
	}
	if mic := a.live.mic.Load(); mic != nil {
		l := mic.Level()
		return l.RMS, l.Peak
	}
	v := a.pipe.Level()
	return v, v
}
