// Package app is parley's application layer: it builds one conversation
// from the configuration (engines, language model, audio ends, log and
// pipeline), runs it, and serves the front ends (TUI, headless) what they
// show and the commands they send. The engine choice lives here too, as
// pure functions that doctor, transcribe and bench share.
package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"parley/config"
	"parley/gpu"
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
}

// Open builds the conversation: the engines first (a bad model fails before
// any audio device opens), then the language model, the audio ends, the
// log and the pipeline. The caller closes the App.
func Open(ctx context.Context, cfg config.Config, opts Options) (*App, error) {
	eng, err := OpenEngines(ctx, cfg, RoleVAD|RoleASR|RoleTTS|RoleTurn)
	if err != nil {
		return nil, err
	}
	a := &App{eng: eng}
	if err := a.open(ctx, opts); err != nil {
		_ = a.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) open(ctx context.Context, opts Options) error {
	if err := a.openLLM(); err != nil {
		return err
	}
	au, err := OpenAudio(ctx, a.eng.Config.Audio, opts)
	if err != nil {
		return err
	}
	a.audio = au
	a.eng.onClose(au.Close)
	log, err := pipeline.OpenLog(a.eng.StateDir, time.Now())
	if err != nil {
		return err
	}
	a.log = log
	a.eng.onClose(log.Close)
	return a.newPipeline()
}

// Close releases everything in reverse order of opening.
func (a *App) Close() error {
	return a.eng.Close()
}

// gpuWatchInterval is how often memory pressure is checked while running.
const gpuWatchInterval = 2 * time.Second

// Run runs the conversation until the input ends, ctx is done or the
// pipeline fails; a clean stop returns pipeline.ErrStopped. Meanwhile a
// watcher probes an unreachable LLM server, and, when there is a GPU, the
// GPU manager checks free memory and moves the lowest-priority model to the
// CPU under pressure (its state then says why). The watchers have ended
// when Run returns.
func (a *App) Run(ctx context.Context) error {
	watchCtx, stop := context.WithCancel(ctx)
	var g errgroup.Group
	if a.llmWatch != nil {
		g.Go(func() error { return quiet(a.llmWatch(watchCtx)) })
	}
	if gpus := a.eng.GPUs; gpus != nil && gpus.GPUUnavailable() == "" {
		snaps := make(chan gpu.Snapshot)
		g.Go(func() error { return quiet(gpus.Watch(watchCtx, gpuWatchInterval, snaps)) })
		g.Go(func() error { discard(watchCtx, snaps); return nil })
	}
	err := a.pipe.Run(ctx)
	stop()
	_ = g.Wait()
	return err
}

// quiet drops a watcher's error: watchers stop when Run cancels them, and
// their findings reach the user as notices and model states, not errors.
func quiet(error) error { return nil }

// discard reads what the GPU watcher sends until ctx is done.
func discard(ctx context.Context, snaps <-chan gpu.Snapshot) {
	for {
		select {
		case <-snaps:
		case <-ctx.Done():
			return
		}
	}
}

// Events returns the conversation's events; the stream closes when Run
// returns.
func (a *App) Events() <-chan pipeline.Event {
	return a.pipe.Events()
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
}

// Info names the running engines and the conversation log.
func (a *App) Info() Info {
	e := a.eng
	return Info{VAD: e.VADName(), ASR: e.ASR.Name(), TTS: e.TTS.Name(), LLM: a.llm.Name(), LogPath: a.log.Path()}
}

// SampleGPU takes one NVML reading of every GPU (or says why there is none).
func (a *App) SampleGPU(ctx context.Context) gpu.Snapshot {
	return a.eng.Monitor.Sample(ctx)
}

// Level returns the input's latest RMS and peak (0-1): the microphone's
// meter, or the pipeline's for a file.
func (a *App) Level() (rms, peak float32) {
	if a.audio.Mic != nil {
		l := a.audio.Mic.Level()
		return l.RMS, l.Peak
	}
	v := a.pipe.Level()
	return v, v
}

// startNotice is the first line of a run: what listens, decides and speaks.
func (a *App) startNotice() string {
	e := a.eng
	return fmt.Sprintf("listening on %s; VAD %s; ASR %s on %s; TTS %s on %s; answers: %s",
		a.audio.name(), e.VADName(), e.ASR.Name(), e.ASR.Device(), e.TTS.Name(), e.TTS.Device(), llmName(e.Config.LLM))
}
