package assistant

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	tea "github.com/charmbracelet/bubbletea"
	"golang.org/x/term"

	"parley/app"
	"parley/cli"
	"parley/config"
	"parley/gpu"
	"parley/pipeline"
	"parley/ui"
)

// errNoTUI indicates that the TUI cannot start on this terminal.
var errNoTUI = errors.New("standard input/output is not a terminal: use --headless")

// runTUI runs the assistant behind the Bubble Tea interface. While it runs,
// file descriptor 2 goes to parley.log in the state folder: C libraries
// write to stderr, and nothing may print into the TUI.
func runTUI(ctx context.Context, cfg config.Config, opts app.Options) error {
	if !term.IsTerminal(int(os.Stdin.Fd())) || !term.IsTerminal(int(os.Stdout.Fd())) {
		return errNoTUI
	}
	keys, err := ui.ParseKeyMap(cfg.UI.Keys)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	dir := app.StateDir(cfg)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("state folder %s (log.dir): %w", dir, err)
	}
	logPath := filepath.Join(dir, "parley.log")
	restore, err := cli.RedirectStderr(logPath)
	if err != nil {
		return err
	}
	defer restore()
	a, err := app.Open(ctx, cfg, opts)
	if err != nil {
		return err
	}
	defer a.Close()
	prog := tea.NewProgram(ui.New(uiOptions(cfg, controller{a}, keys, logPath)), tea.WithAltScreen(), tea.WithContext(ctx))
	return finished(ctx, runProgram(ctx, prog, a.Run, a.Events()), opts)
}

// runProgram runs the conversation beside the UI; a failure becomes the
// UI's fatal screen, and quitting the UI stops the conversation. Once the
// UI has gone its events are drained. It returns the UI's failure, else
// the conversation's end (see finished).
func runProgram(ctx context.Context, prog *tea.Program, run func(context.Context) error, events <-chan pipeline.Event) error {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		err := run(runCtx)
		if !app.Stopped(err) {
			prog.Send(ui.FatalMsg{Err: err})
		}
		done <- err
	}()
	_, err := prog.Run()
	cancel()
	go drain(events)
	perr := <-done
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return fmt.Errorf("terminal interface: %w", err)
	}
	return perr
}

// conversation is what the UI shows of a running App and what it sends it;
// *app.App is one.
type conversation interface {
	ui.Controller
	Events() <-chan pipeline.Event
	SampleGPU(ctx context.Context) gpu.Snapshot
	ModelStates() []gpu.ModelState
	Level() (rms, peak float32)
	Info() app.Info
	Resumed() []pipeline.Turn
}

// uiOptions maps the configuration and the running conversation to the
// UI's options; logPath is where stderr goes while the UI runs.
func uiOptions(cfg config.Config, c conversation, keys ui.KeyMap, logPath string) ui.Options {
	return ui.Options{
		Sources: ui.Sources{
			Events: c.Events(),
			GPU:    c.SampleGPU,
			Models: c.ModelStates,
			Level:  c.Level,
			Info: func() ui.StatusInfo {
				i := c.Info()
				return ui.StatusInfo{VAD: i.VAD, ASR: i.ASR, TTS: i.TTS, LLM: i.LLM, LogPath: i.LogPath, Audio: audioLatency(i.Audio)}
			},
		},
		Controller: c,
		Resumed:    c.Resumed(),
		Keys:       &keys,
		Unicode:    cfg.UI.Unicode,
		LogPath:    logPath,
		BargeIn:    cfg.Conversation.BargeIn,
	}
}

// audioLatency maps what the audio path adds to the pipeline pane's form.
func audioLatency(l app.AddedLatency) ui.AudioLatency {
	return ui.AudioLatency{Path: l.Path, Capture: l.Capture, Playback: l.Playback, Measured: l.Measured}
}
