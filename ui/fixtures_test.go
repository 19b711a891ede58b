package ui

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"parley/gpu"
	"parley/internal/testenv"
	"parley/pipeline"
	"parley/ui/clipboard"
)

func init() {
	lipgloss.SetColorProfile(termenv.Ascii)
}

// fixedNow is the clock of every test, so views never depend on time.
func fixedNow() time.Time {
	return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
}

func f64(v float64) *float64 { return &v }

// twoGPUs is a snapshot of two GPUs; the second cannot report power.
func twoGPUs(context.Context) gpu.Snapshot {
	return gpu.Snapshot{Time: fixedNow(), GPUs: []gpu.GPUSample{
		{Index: 0, Name: "NVIDIA H100 80GB HBM3", MemUsedMiB: f64(20480), MemTotalMiB: f64(81559),
			ProcessMiB: f64(6144), UtilPercent: f64(45), TempC: f64(52), PowerW: f64(180), PowerLimitW: f64(700)},
		{Index: 1, Name: "NVIDIA L4", MemUsedMiB: f64(21000), MemTotalMiB: f64(23034),
			UtilPercent: f64(5), TempC: f64(38), PowerW: nil, PowerLimitW: f64(72)},
	}}
}

// noGPU is a snapshot from a machine without NVML.
func noGPU(context.Context) gpu.Snapshot {
	return gpu.Snapshot{Time: fixedNow(), Unavailable: "NVML library not found"}
}

// fakeDevices holds model states a fake controller changes.
type fakeDevices struct {
	mu     sync.Mutex
	states []gpu.ModelState
	gate   chan struct{} // when set, ToggleDevice waits on it
	err    error
	calls  []string
	muted  []bool

	terminal  osc52Terminal // what the clipboard wrote to the terminal
	submitted []string      // typed turns
	submitErr error
	switched  []string // "kind id"
	model     string
}

func newFakeDevices() *fakeDevices {
	return &fakeDevices{states: []gpu.ModelState{
		{Model: "tts", Requested: "cuda:0", Active: "cuda:0", MemoryMiB: 512},
		{Model: "vad", Requested: "cpu", Active: "cpu", MemoryMiB: 0},
		{Model: "asr", Requested: "cpu", Active: "cpu", MemoryMiB: 0},
	}}
}

// States implements Sources.Models.
func (f *fakeDevices) States() []gpu.ModelState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]gpu.ModelState(nil), f.states...)
}

// ToggleDevice implements Controller.
func (f *fakeDevices) ToggleDevice(ctx context.Context, model string) error {
	f.mu.Lock()
	f.calls = append(f.calls, model)
	gate, err := f.gate, f.err
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, s := range f.states {
		if s.Model == model {
			next := "cuda:0"
			if s.Active != "cpu" {
				next = "cpu"
			}
			f.states[i].Requested, f.states[i].Active = next, next
			f.states[i].LastSwitch = 1240 * time.Millisecond
		}
	}
	return nil
}

func (f *fakeDevices) SetMuted(m bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.muted = append(f.muted, m)
}
func (f *fakeDevices) SetPushToTalk(bool) {}
func (f *fakeDevices) SetBargeIn(bool)    {}

// SubmitText implements Controller.
func (f *fakeDevices) SubmitText(_ context.Context, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.submitErr != nil {
		return f.submitErr
	}
	f.submitted = append(f.submitted, text)
	return nil
}

// Devices implements Controller with the devices of a test machine.
func (f *fakeDevices) Devices(context.Context) (capture, playback []DeviceChoice, err error) {
	return []DeviceChoice{
			{Name: "Built-in Audio Analog Stereo", ID: "alsa_input.pci-0000_00_1f.3.analog-stereo", Default: true, Current: true},
			{Name: "Virtual microphone", ID: "virtmic"},
		}, []DeviceChoice{
			{Name: "Built-in Audio Analog Stereo", ID: "alsa_output.pci-0000_00_1f.3.analog-stereo", Default: true, Current: true},
			{Name: "USB headset", ID: "alsa_output.usb-headset"},
		}, nil
}

// SwitchDevice implements Controller.
func (f *fakeDevices) SwitchDevice(_ context.Context, kind DeviceKind, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.switched = append(f.switched, string(kind)+" "+id)
	return nil
}

// Models implements Controller.
func (f *fakeDevices) Models(context.Context) ([]string, error) {
	return []string{"llama3.2", "qwen2.5-coder:7b", "mistral-small"}, nil
}

// SetModel implements Controller.
func (f *fakeDevices) SetModel(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.model = name
	return nil
}

func (f *fakeDevices) setFallback(model, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.states {
		if f.states[i].Model == model {
			f.states[i].Requested, f.states[i].Active, f.states[i].FallbackReason = "cuda:0", "cpu", reason
		}
	}
}

var errNoGPU = errors.New("no GPU: NVML library not found")

func info() StatusInfo {
	return StatusInfo{VAD: "silero", ASR: "sensevoice", LLM: "offline", TTS: "piper", LogPath: "/tmp/parley/log.jsonl"}
}

func level() (float32, float32) { return 0.05, 0.2 }

// testOptions wires the fakes into Options.
func testOptions(f *fakeDevices, events chan pipeline.Event, g func(context.Context) gpu.Snapshot) Options {
	return Options{
		Sources:    Sources{Events: events, GPU: g, Models: f.States, Level: level, Info: info},
		Controller: f, BargeIn: true, Now: fixedNow,
		Clipboard:   clipboard.OSC52(&f.terminal, func(string) string { return "" }),
		GPUInterval: 20 * time.Millisecond, LevelInterval: 20 * time.Millisecond, ModelsInterval: 20 * time.Millisecond,
	}
}

// ev builds a pipeline event.
func ev(kind pipeline.Kind, turn pipeline.TurnID, text string) pipeline.Event {
	return pipeline.Event{Kind: kind, Turn: turn, Time: fixedNow(), Text: text}
}

func stateEv(turn pipeline.TurnID, s pipeline.State) pipeline.Event {
	return pipeline.Event{Kind: pipeline.KindState, Turn: turn, Time: fixedNow(), State: s, Text: string(s)}
}

func metricsEv(turn pipeline.TurnID, scale float64) pipeline.Event {
	return pipeline.Event{Kind: pipeline.KindMetrics, Turn: turn, Time: fixedNow(), Metrics: &pipeline.TurnMetrics{
		SpeechMS: 1800 * scale, ASRFinal: 210 * scale, LLMFirstToken: 380 * scale, TTSFirstAudio: 160 * scale,
		PlaybackStart: 40 * scale, VoiceToVoice: 820 * scale, TTSRTF: 0.18,
	}}
}

// conversationEvents is a short conversation that ends mid-answer.
func conversationEvents() []pipeline.Event {
	return []pipeline.Event{
		ev(pipeline.KindInfo, 0, "ASR sensevoice on cpu; TTS piper on cuda:0"),
		ev(pipeline.KindSpeechStart, 1, ""),
		ev(pipeline.KindPartial, 1, "what is the"),
		ev(pipeline.KindHeard, 1, "What is the capital of France?"),
		ev(pipeline.KindAnswerDelta, 1, "The capital "),
		ev(pipeline.KindAnswerDelta, 1, "of France is Paris."),
		ev(pipeline.KindAnswer, 1, "The capital of France is Paris."),
		metricsEv(1, 1),
		ev(pipeline.KindSpeechStart, 2, ""),
		ev(pipeline.KindHeard, 2, "Tell me a long story about the Loire valley and its castles"),
		ev(pipeline.KindAnswerDelta, 2, "Once upon a time, along the Loire, "),
		ev(pipeline.KindInterrupted, 2, ""),
		metricsEv(2, 1.3),
		stateEv(3, pipeline.StateListening),
		ev(pipeline.KindSpeechStart, 3, ""),
		ev(pipeline.KindPartial, 3, "and how tall is the eiffel"),
	}
}

// firstScreenEvents are the start-up facts of a machine without a GPU or
// an LLM server, as the app announces them (pipeline.Notice).
func firstScreenEvents() []pipeline.Event {
	fact := func(f, text, detail string) pipeline.Event {
		return pipeline.Event{Kind: pipeline.KindInfo, Time: fixedNow(), Fact: f, Text: text, Detail: detail}
	}
	return []pipeline.Event{
		fact("gpu", "CPU only — no NVIDIA driver", "OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library"),
		fact("llm", "LLM offline: start Ollama or set llm.base_url · parley doctor",
			`Get "http://127.0.0.1:11434/v1/models": dial tcp 127.0.0.1:11434: connect: connection refused`),
		fact("speech", "pocketsphinx + flite · better voices: parley models pull", "no SenseVoice or Paraformer model is installed"),
		fact("audio", "listening on Built-in Audio Analog Stereo", ""),
	}
}

// codeAnswer is a reply with a fenced Go block and a table.
const codeAnswer = "Use `fmt.Println`:\n\n```go\npackage main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hello\")\n}\n```\n\n" +
	"| engine | device |\n|---|---|\n| ASR | cuda:0 |\n| TTS | cpu |\n"

// answerEvents are a typed question and its streamed Markdown answer.
func answerEvents() []pipeline.Event {
	return []pipeline.Event{
		ev(pipeline.KindHeard, 1, "print hello in Go, and where do the engines run?"),
		ev(pipeline.KindAnswerDelta, 1, codeAnswer[:40]),
		ev(pipeline.KindAnswerDelta, 1, codeAnswer[40:]),
		ev(pipeline.KindAnswer, 1, codeAnswer),
	}
}

// pastedTrace is a multi-line paste, with the CRLF line ends a terminal
// may send.
const pastedTrace = "why does this fail?\r\npanic: runtime error: index out of range\r\n\tmain.go:12 +0x1d\r\nexit status 2"

// osc52Terminal is a terminal that commands may write to concurrently.
type osc52Terminal struct{ testenv.Buffer }

// copied decodes the OSC 52 sequences written so far.
func (b *osc52Terminal) copied() []string {
	var out []string
	for _, seq := range strings.Split(b.String(), "\a") {
		_, b64, ok := strings.Cut(seq, "\x1b]52;c;")
		if !ok {
			continue
		}
		text, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			out = append(out, "bad base64: "+err.Error())
			continue
		}
		out = append(out, string(text))
	}
	return out
}
