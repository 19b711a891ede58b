package doctor

import (
	"context"
	"os"
	"strings"

	"parley/app"
	"parley/cli"
	"parley/config"
)

// role is one engine role doctor builds on its own, so that each role's
// problem is named.
type role struct {
	name   string
	role   app.Role
	want   func(config.Config) string // the role's configured engine
	pick   func(app.Choices) app.Choice
	loaded func(*app.Engines) string // what proves the engine was built
}

func roles() []role {
	return []role{
		{"VAD", app.RoleVAD, func(c config.Config) string { return c.VAD.Engine },
			func(c app.Choices) app.Choice { return c.VAD }, func(e *app.Engines) string { return e.VADName() + " loads" }},
		{"ASR", app.RoleASR, func(c config.Config) string { return c.ASR.Engine },
			func(c app.Choices) app.Choice { return c.ASR }, func(e *app.Engines) string { return e.ASR.Name() + " loads" }},
		{"TTS", app.RoleTTS, func(c config.Config) string { return c.TTS.Engine },
			func(c app.Choices) app.Choice { return c.TTS }, func(e *app.Engines) string { return e.TTS.Name() + " loads" }},
		{"turn", app.RoleTurn, func(c config.Config) string { return c.Turn.Detector },
			func(c app.Choices) app.Choice { return c.Turn }, turnLoaded},
	}
}

// turnLoaded says what building the turn detector proved.
func turnLoaded(e *app.Engines) string {
	if e.Turn.Name() == "smart-turn" {
		return "the model loads and follows the Smart Turn v3 contract"
	}
	return "the text detector needs no model"
}

// engines builds each role's engine as parley would (its ONNX session
// created, pocketsphinx and flite loaded) and reports the choice and why,
// as a note when an engine failed to load and the next one runs, or the
// problem.
// The engines' own logs go to a temporary folder, not log.dir, and what
// libraries print on stderr is dropped.
func (r *report) engines(ctx context.Context, cfg config.Config) {
	tmp, err := os.MkdirTemp("", "parley-doctor-")
	if err != nil {
		r.block("temporary folder for the engine checks: %v", err)
		return
	}
	defer os.RemoveAll(tmp)
	cfg.Log.Dir = tmp
	if restore, err := cli.RedirectStderr(os.DevNull); err == nil {
		defer restore()
	}
	for _, ro := range roles() {
		r.engine(ctx, cfg, ro)
	}
}

// engine builds one role's engine and reports it.
func (r *report) engine(ctx context.Context, cfg config.Config, ro role) {
	e, err := app.OpenEngines(ctx, cfg, ro.role)
	if err != nil {
		r.block("%s: %v", ro.name, err)
		return
	}
	defer e.Close()
	if len(e.Failed) > 0 {
		r.warn("%s: %s", ro.name, ro.pick(e.Choices).Reason)
	} else {
		r.line("%s: %s", ro.name, ro.pick(e.Choices).Reason)
	}
	if ro.want(cfg) == "auto" {
		r.line("     auto order: %s", app.AutoOrder(strings.ToLower(ro.name)))
	}
	r.line("     %s", ro.loaded(e))
}
