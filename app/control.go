package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"parley/config"
	"parley/gpu"
)

// ToggleDevice moves model ("asr", "tts" or "vad") between the CPU and the
// GPU; an engine that cannot move says why. It satisfies ui.Controller.
func (a *App) ToggleDevice(ctx context.Context, model string) error {
	e := a.eng
	if e.GPUs != nil {
		if reason := e.GPUs.GPUUnavailable(); reason != "" {
			return fmt.Errorf("no GPU: %s", strings.TrimPrefix(reason, "no GPU: "))
		}
		if _, err := e.GPUs.Model(model); err == nil {
			return e.GPUs.Toggle(ctx, model)
		}
	}
	switch model {
	case "asr":
		return fmt.Errorf("%s runs on the CPU only; an ONNX speech model (SenseVoice, Paraformer) can move to the GPU", e.ASR.Name())
	case "tts":
		return fmt.Errorf("%s runs on the CPU only; an ONNX voice (Piper) can move to the GPU", e.TTS.Name())
	}
	return fmt.Errorf("no model %q to move", model)
}

// SetMuted stops (true) or resumes (false) listening.
func (a *App) SetMuted(muted bool) {
	a.pipe.SetMuted(muted)
}

// SetPushToTalk starts (true) or ends (false) a push-to-talk utterance.
func (a *App) SetPushToTalk(on bool) {
	a.pipe.SetPushToTalk(on)
}

// SetBargeIn lets speech interrupt a reply (true) or not, and says what
// speech then needs.
func (a *App) SetBargeIn(on bool) {
	a.pipe.SetBargeIn(on)
	if on {
		a.pipe.Notify(fmt.Sprintf("barge-in on: speak to interrupt parley (while it speaks, speech needs probability %.2f)",
			a.eng.Config.VAD.PlaybackThreshold))
	}
}

// ModelStates reports every model: ONNX models from the GPU manager, the
// embedded CPU engines as they are.
func (a *App) ModelStates() []gpu.ModelState {
	e := a.eng
	var managed []gpu.ModelState
	if e.GPUs != nil {
		managed = e.GPUs.States()
	}
	return modelStates(managed, e.Config, map[string]string{"vad": e.VADName(), "asr": e.ASR.Name(), "tts": e.TTS.Name()})
}

// modelStates adds to the managed (ONNX) models' states one for each role
// whose engine the GPU manager does not hold, named in engines.
func modelStates(managed []gpu.ModelState, cfg config.Config, engines map[string]string) []gpu.ModelState {
	states := slices.Clone(managed)
	requested := map[string]string{"vad": "cpu", "asr": cfg.ASR.Device, "tts": cfg.TTS.Device}
	for _, role := range []string{"vad", "asr", "tts"} {
		if !slices.ContainsFunc(managed, func(s gpu.ModelState) bool { return s.Model == role }) {
			states = append(states, cpuOnly(role, requested[role], engines[role]))
		}
	}
	return states
}

// cpuOnly is the honest state of an engine that cannot use a GPU.
func cpuOnly(model, requested, engine string) gpu.ModelState {
	st := gpu.ModelState{Model: model, Requested: requested, Active: "cpu", MemoryMiB: -1}
	if requested != "cpu" {
		st.FallbackReason = engine + " runs on the CPU only"
	}
	return st
}
