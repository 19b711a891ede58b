package main

import (
	"context"
	"fmt"
	"strings"

	"parley/gpu"
	"parley/pipeline"
)

// controller carries the UI's commands to the pipeline and the GPU manager.
type controller struct {
	p *pipeline.Pipeline
	s *session
}

// ToggleDevice implements ui.Controller: ONNX models move between the CPU
// and the GPU; an engine that cannot says why.
func (c controller) ToggleDevice(ctx context.Context, model string) error {
	if c.s.gpus != nil {
		if reason := c.s.gpus.GPUUnavailable(); reason != "" {
			return fmt.Errorf("no GPU: %s", strings.TrimPrefix(reason, "no GPU: "))
		}
		if _, err := c.s.gpus.Model(model); err == nil {
			return c.s.gpus.Toggle(ctx, model)
		}
	}
	switch model {
	case "asr":
		return fmt.Errorf("%s runs on the CPU only; an ONNX speech model (SenseVoice, Paraformer) can move to the GPU", c.s.asr.Name())
	case "tts":
		return fmt.Errorf("%s runs on the CPU only; an ONNX voice (Piper) can move to the GPU", c.s.tts.Name())
	}
	return fmt.Errorf("no model %q to move", model)
}

// SetMuted implements ui.Controller.
func (c controller) SetMuted(muted bool) {
	c.p.SetMuted(muted)
}

// SetPushToTalk implements ui.Controller.
func (c controller) SetPushToTalk(on bool) {
	c.p.SetPushToTalk(on)
}

// SetBargeIn implements ui.Controller.
func (c controller) SetBargeIn(on bool) {
	c.p.SetBargeIn(on)
	if on {
		c.p.Notify(fmt.Sprintf("barge-in on: speak to interrupt parley (while it speaks, speech needs probability %.2f)", c.s.cfg.VAD.PlaybackThreshold))
	}
}

// modelStates reports every model: ONNX models from the GPU manager, the
// embedded CPU engines as they are.
func (s *session) modelStates() []gpu.ModelState {
	var states []gpu.ModelState
	if s.gpus != nil {
		states = append(states, s.gpus.States()...)
	} else {
		states = append(states, cpuOnly("vad", "cpu", s.vadName))
	}
	states = append(states, cpuOnly("asr", s.cfg.ASR.Device, s.asr.Name()))
	states = append(states, cpuOnly("tts", s.cfg.TTS.Device, s.tts.Name()))
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
