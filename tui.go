package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	tea "github.com/charmbracelet/bubbletea"
	"golang.org/x/term"

	"parley/config"
	"parley/gpu"
	"parley/pipeline"
	"parley/ui"
)

// runTUI runs the assistant behind the Bubble Tea interface. While it runs,
// file descriptor 2 goes to parley.log in the state folder: C libraries
// write to stderr, and nothing may print into the TUI.
func runTUI(ctx context.Context, loaded config.Loaded, opts options, _ io.Writer) error {
	if !term.IsTerminal(int(os.Stdin.Fd())) || !term.IsTerminal(int(os.Stdout.Fd())) {
		return errNoTUI
	}
	keys, err := ui.ParseKeyMap(loaded.Config.UI.Keys)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	dir := stateDir(loaded.Config)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("state folder %s (log.dir): %w", dir, err)
	}
	logPath := filepath.Join(dir, "parley.log")
	restore, _, err := redirectStderr(logPath)
	if err != nil {
		return err
	}
	defer restore()
	return runTUISession(ctx, loaded, opts, keys, logPath)
}

func runTUISession(ctx context.Context, loaded config.Loaded, opts options, keys ui.KeyMap, logPath string) error {
	s, p, err := startConversation(ctx, loaded, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	model := ui.New(ui.Options{
		Sources:    s.uiSources(p, s.log.Path()),
		Controller: controller{p: p, s: s},
		Keys:       &keys,
		Unicode:    loaded.Config.UI.Unicode,
		LogPath:    logPath,
	})
	prog := tea.NewProgram(model, tea.WithAltScreen(), tea.WithContext(ctx))
	return runProgram(ctx, prog, func(ctx context.Context) error { return s.run(ctx, p) })
}

// runProgram runs the pipeline beside the UI; a pipeline failure becomes
// the UI's fatal screen, and quitting the UI stops the pipeline.
func runProgram(ctx context.Context, prog *tea.Program, run func(context.Context) error) error {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		err := run(runCtx)
		if err != nil && !errors.Is(err, pipeline.ErrStopped) {
			prog.Send(ui.FatalMsg{Err: err})
		}
		done <- err
	}()
	_, err := prog.Run()
	cancel()
	perr := <-done
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return fmt.Errorf("terminal interface: %w", err)
	}
	if perr != nil && !errors.Is(perr, pipeline.ErrStopped) {
		return perr
	}
	return nil
}

// uiSources gives the UI what it shows.
func (s *session) uiSources(p *pipeline.Pipeline, conversationLog string) ui.Sources {
	return ui.Sources{
		Events: p.Events(),
		GPU:    s.monitor.Sample,
		Models: s.modelStates,
		Level:  s.level(p),
		Info: func() ui.StatusInfo {
			return ui.StatusInfo{
				VAD: s.vadName, ASR: s.asr.Name(), TTS: s.tts.Name(), LLM: s.llm.Name(), LogPath: conversationLog,
			}
		},
	}
}

// level reads the microphone's meter, or the pipeline's for a file.
func (s *session) level(p *pipeline.Pipeline) func() (float32, float32) {
	if s.mic != nil {
		return func() (float32, float32) { l := s.mic.Level(); return l.RMS, l.Peak }
	}
	return func() (float32, float32) { v := p.Level(); return v, v }
}

// sampleGPUs takes one NVML reading (or says why there is none).
func sampleGPUs(ctx context.Context) gpu.Snapshot {
	mon := gpu.NewMonitor(gpu.MonitorOptions{})
	defer mon.Close()
	return mon.Sample(ctx)
}
