package app

import (
	"context"
	"errors"
	"fmt"

	"parley/gpu"
)

// LoadError indicates a chosen engine that did not load: its model's ONNX
// session failed, or the engine could not be built from its files. With
// the role's engine "auto", OpenEngines then tries the next engine of the
// role's preference list, and the choice's reason says why.
type LoadError struct {
	// Role is "vad", "asr", "tts" or "turn".
	Role string
	// Engine is the engine that failed, by its config name ("sensevoice").
	Engine string
	// Label names the engine for the user ("SenseVoice").
	Label string
	// Err is why.
	Err error
}

// Error says which engine failed to load and why.
func (e *LoadError) Error() string {
	return fmt.Sprintf("%s failed to load: %v", e.Label, e.Err)
}

// Unwrap returns Err.
func (e *LoadError) Unwrap() error { return e.Err }

// roleError tags an engine's build failure with its role.
type roleError struct {
	role string
	err  error
}

func (e *roleError) Error() string { return e.err.Error() }
func (e *roleError) Unwrap() error { return e.err }

// openWithFallback chooses the engines of roles and opens them. When an
// engine of an "auto" role fails to load, it is skipped and the choice
// made again, so the next engine of that role's list runs; each skipped
// engine is in Failed. Every round skips one more engine, so it ends.
func (e *Engines) openWithFallback(ctx context.Context, roles Role) error {
	for {
		closers, notices := len(e.closers), len(e.Notices)
		err := e.openModels(ctx, roles)
		if err == nil {
			err = e.openEngines(ctx, roles)
		}
		if err == nil {
			return nil
		}
		failed, ok := e.skippable(err)
		if !ok || ctx.Err() != nil {
			return err
		}
		e.rewind(closers, notices)
		e.broken[failed.Engine] = failed
		e.Failed = append(e.Failed, failed)
	}
}

// skippable returns the LoadError of err when another engine may replace
// the one that failed: the role's engine is "auto" and the failed one
// loads model files (an engine built into parley ends its list).
func (e *Engines) skippable(err error) (*LoadError, bool) {
	role := ""
	var me *gpu.ModelError
	var re *roleError
	switch {
	case errors.As(err, &me) && me.Model == decoderModel:
		role = "asr" // Whisper's second graph
	case errors.As(err, &me):
		role = me.Model
	case errors.As(err, &re):
		role = re.role
	}
	c, want := e.choice(role)
	if want != "auto" || (c.Files.ONNX == "" && c.Files.Dir == "") {
		return nil, false
	}
	return &LoadError{Role: role, Engine: c.Engine, Label: labelOf(role, c.Engine), Err: err}, true
}

// choice returns a role's chosen engine and the engine the config asks for.
func (e *Engines) choice(role string) (Choice, string) {
	switch role {
	case "vad":
		return e.Choices.VAD, e.Config.VAD.Engine
	case "asr":
		return e.Choices.ASR, e.Config.ASR.Engine
	case "tts":
		return e.Choices.TTS, e.Config.TTS.Engine
	case "turn":
		return e.Choices.Turn, e.Config.Turn.Detector
	}
	return Choice{}, ""
}

// labelOf names an engine of a role's preference list for the user.
func labelOf(role, name string) string {
	lists := map[string][]engine{"vad": vadEngines(), "asr": asrEngines(), "tts": ttsEngines(), "turn": turnEngines()}
	for _, eng := range lists[role] {
		if eng.name == name {
			return eng.label
		}
	}
	return name
}

// rewind closes what the failed round opened and forgets its engines and
// notices.
func (e *Engines) rewind(closers, notices int) {
	_ = e.closers.closeFrom(closers)
	e.Notices = e.Notices[:notices]
	e.GPUs, e.VAD, e.ASR, e.TTS = nil, nil, nil, nil
	e.Choices = Choices{}
}
