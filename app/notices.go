package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"parley/config"
	"parley/gpu"
	"parley/pipeline"
)

// Start-up facts: one calm line each on the first screen, with the one
// action that fixes what is missing; the full text goes to Detail (the
// conversation log, --json, and `parley doctor`).

// facts are the start-up notices of a run, in the order shown.
func (a *App) facts() []pipeline.Notice {
	e := a.eng
	speech := speechFact(e.Config, e.Choices)
	speech.Detail = fmt.Sprintf("VAD %s; ASR %s on %s; TTS %s on %s; %s",
		e.VADName(), e.ASR.Name(), e.ASR.Device(), e.TTS.Name(), e.TTS.Device(), speech.Detail)
	out := []pipeline.Notice{gpuFact(e), llmFact(e.Config.LLM), speech}
	if n, ok := vadFact(e.Config, e.Choices.VAD, e.Runtime != nil); ok {
		out = append(out, n)
	}
	if n, ok := failedFact(e.Failed); ok {
		out = append(out, n)
	}
	return append(append(out, a.audioFact()), a.notices...)
}

// gpuFact says whether the models can use a GPU, and if not, why.
func gpuFact(e *Engines) pipeline.Notice {
	n := pipeline.Notice{Fact: "gpu"}
	var nvml *gpu.NVMLInitError
	switch {
	case !e.Config.GPU.Enabled:
		n.Text = "CPU only — gpu.enabled = false"
	case e.Runtime == nil:
		n.Text = "CPU only — ONNX Runtime did not load · parley doctor"
		n.Detail = fmt.Sprintf("ONNX Runtime unavailable: %v", e.RuntimeErr)
		return n
	case errors.As(e.Monitor.Err(), &nvml):
		n.Text = "CPU only — " + nvml.Reason
	case e.Monitor.Err() != nil:
		n.Text = "CPU only — " + e.Monitor.Err().Error()
	case !e.Runtime.CUDAStatus().Available:
		n.Text = "CPU only — this ONNX Runtime has no CUDA · parley doctor"
	default:
		n.Text = "GPU ready"
	}
	n.Detail = DescribeRuntime(e.Runtime.Info())
	return n
}

// llmFact says who answers, until the server's first check says more
// (see App.llmChanged).
func llmFact(c config.LLM) pipeline.Notice {
	n := pipeline.Notice{Fact: "llm", Detail: "answers: " + llmName(c)}
	switch c.Engine {
	case "offline":
		n.Text = "LLM: the offline responder (llm.engine = offline)"
	default:
		n.Text = "LLM: " + c.Model + " at " + c.BaseURL
	}
	return n
}

// speechFact names the recogniser and the voice; when either is the
// built-in fallback of "auto", it says how to get a better one.
func speechFact(cfg config.Config, c Choices) pipeline.Notice {
	text := c.ASR.Engine + " + " + c.TTS.Engine
	fallback := (cfg.ASR.Engine == "auto" && c.ASR.Engine == "pocketsphinx") || (cfg.TTS.Engine == "auto" && c.TTS.Engine == "flite")
	if fallback {
		text += " · better models: parley models list"
	}
	detail := "ASR: " + c.ASR.Reason + "; TTS: " + c.TTS.Reason
	if c.Turn.Engine != "" {
		detail += "; turn: " + c.Turn.Reason
	}
	return pipeline.Notice{Fact: "speech", Text: text, Detail: detail}
}

// failedFact names the installed models that failed to load, whose
// engines auto replaced (the reasons are the detail); nothing to say
// when every model loaded.
func failedFact(failed []*LoadError) (pipeline.Notice, bool) {
	var labels, why []string
	for _, le := range failed {
		if !slices.Contains(labels, le.Label) {
			labels = append(labels, le.Label)
		}
		why = append(why, le.Error())
	}
	if len(labels) == 0 {
		return pipeline.Notice{}, false
	}
	return pipeline.Notice{Fact: "failed", Text: strings.Join(labels, ", ") + " failed to load, replaced · parley doctor",
		Detail: strings.Join(why, "; ")}, true
}

// vadFact tells, when "auto" fell back to the energy detector, why and
// what fixes it; there is nothing to say otherwise.
func vadFact(cfg config.Config, c Choice, onnx bool) (pipeline.Notice, bool) {
	if cfg.VAD.Engine != "auto" || c.Engine != "energy" {
		return pipeline.Notice{}, false
	}
	n := pipeline.Notice{Fact: "vad", Text: "energy VAD: no Silero model · parley models pull silero-vad-v5", Detail: "VAD: " + c.Reason}
	if !onnx {
		n.Text = "energy VAD: Silero needs ONNX Runtime"
	}
	return n, true
}

// audioFact says what parley listens to; with the browser page, the
// address to open.
func (a *App) audioFact() pipeline.Notice {
	if a.audio.Web != nil {
		return a.audio.pageFact()
	}
	now := a.live.now()
	n := pipeline.Notice{Fact: "audio"}
	switch {
	case now.mic != nil:
		n.Text = "listening on " + now.mic.Device().Name
		n.Detail = fmt.Sprintf("microphone %s (%s) on %s, echo cancellation %s", now.mic.Device().Name,
			now.mic.Device().ID, now.mic.Backend(), onOff(now.canceller != nil))
	case a.lines != nil:
		n.Text = "answering the lines typed on standard input"
	default:
		n.Text = "listening to the input file"
	}
	if now.speaker != nil {
		n.Detail = strings.TrimPrefix(n.Detail+"; speaker "+now.speaker.Device().Name+" ("+now.speaker.Device().ID+")", "; ")
	}
	return n
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// engineReport shows what an engine reports while it runs (Kokoro's
// dropped phonemes) as one calm line that a later report replaces; the
// report itself is the detail.
func (a *App) engineReport(msg string) {
	a.pipe.Announce(pipeline.Notice{Fact: "voice", Text: "Kokoro skipped a phoneme its vocab lacks · details in the log", Detail: msg})
}
