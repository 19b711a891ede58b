package ui

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"parley/gpu"
	"parley/pipeline"
	"parley/ui/keymap"
)

// scenario sets up fakes, drives the program and names the text that
// shows the frame is complete.
type scenario struct {
	name  string
	gpu   func(context.Context) gpu.Snapshot
	setup func(f *fakeDevices)
	drive func(t *testing.T, tm *teatest.TestModel, km KeyMap, events chan pipeline.Event)
	want  []string // texts that show the frame is complete
}

// press sends the first key bound to action, as the terminal would.
func press(t *testing.T, tm *teatest.TestModel, km KeyMap, action string) {
	t.Helper()
	tm.Send(keyFor(t, km, action))
}

func sendAll(events chan pipeline.Event, evs []pipeline.Event) {
	for _, e := range evs {
		events <- e
	}
}

func scenarios() []scenario {
	return []scenario{
		{name: "idle", gpu: noGPU},
		{name: "conversation", gpu: noGPU, want: []string{"eiffel"},
			drive: func(t *testing.T, tm *teatest.TestModel, km KeyMap, events chan pipeline.Event) {
				sendAll(events, conversationEvents())
			}},
		{name: "gpu", gpu: twoGPUs, want: []string{"> GPU"},
			drive: func(t *testing.T, tm *teatest.TestModel, km KeyMap, events chan pipeline.Event) {
				press(t, tm, km, keymap.FocusNext)
				press(t, tm, km, keymap.FocusNext)
			}},
		{name: "fallback", gpu: twoGPUs, want: []string{"> devices"},
			setup: func(f *fakeDevices) { f.setFallback("asr", "CUDA out of memory (needed 1.2Gi, 0.4Gi free)") },
			drive: func(t *testing.T, tm *teatest.TestModel, km KeyMap, events chan pipeline.Event) {
				for range 3 {
					press(t, tm, km, keymap.FocusNext)
				}
			}},
		{name: "switching", gpu: twoGPUs, want: []string{"switching asr"},
			setup: func(f *fakeDevices) { f.gate = make(chan struct{}) },
			drive: func(t *testing.T, tm *teatest.TestModel, km KeyMap, events chan pipeline.Event) {
				for range 3 {
					press(t, tm, km, keymap.FocusNext)
				}
				press(t, tm, km, keymap.ToggleASR)
			}},
		{name: "help", gpu: noGPU, want: []string{"any key closes"},
			drive: func(t *testing.T, tm *teatest.TestModel, km KeyMap, events chan pipeline.Event) {
				press(t, tm, km, keymap.Help)
			}},
		{name: "first", gpu: noGPU, want: []string{"parley doctor", "for help", "listening on"},
			drive: func(t *testing.T, tm *teatest.TestModel, km KeyMap, events chan pipeline.Event) {
				sendAll(events, firstScreenEvents())
			}},
		{name: "answer", gpu: noGPU, want: []string{"cuda:0 ", "fmt.Println"},
			drive: func(t *testing.T, tm *teatest.TestModel, km KeyMap, events chan pipeline.Event) {
				sendAll(events, answerEvents())
			}},
		{name: "typing", gpu: noGPU, want: []string{"exit status 2"},
			drive: func(t *testing.T, tm *teatest.TestModel, km KeyMap, events chan pipeline.Event) {
				sendAll(events, firstScreenEvents())
				waitForAll(t, tm, "listening on") // the last fact has been drawn
				press(t, tm, km, keymap.Type)
				tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Paste: true, Runes: []rune(pastedTrace)})
			}},
		{name: "devices", gpu: noGPU, want: []string{"> Virtual microphone"},
			drive: func(t *testing.T, tm *teatest.TestModel, km KeyMap, events chan pipeline.Event) {
				press(t, tm, km, keymap.PickDevice)
				waitForAll(t, tm, "USB headset") // the list has come
				press(t, tm, km, keymap.ScrollDown)
			}},
		{name: "models", gpu: noGPU, want: []string{"mistral-small"},
			drive: func(t *testing.T, tm *teatest.TestModel, km KeyMap, events chan pipeline.Event) {
				press(t, tm, km, keymap.PickModel)
			}},
	}
}

// TestApp renders each scenario at 80x24 and 120x40 and compares the final
// frame with testdata/TestApp/<scenario>/<size>.golden.
func TestApp(t *testing.T) {
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			for _, size := range [][2]int{{80, 24}, {120, 40}} {
				t.Run(sizeName(size), func(t *testing.T) {
					runScenario(t, sc, size[0], size[1])
				})
			}
		})
	}
}

func sizeName(s [2]int) string {
	return fmt.Sprintf("%dx%d", s[0], s[1])
}

func runScenario(t *testing.T, sc scenario, w, h int) {
	f := newFakeDevices()
	if sc.setup != nil {
		sc.setup(f)
	}
	defer func() {
		if f.gate != nil {
			close(f.gate)
		}
	}()
	events := make(chan pipeline.Event, 64)
	opts := testOptions(f, events, sc.gpu)
	opts.GPUInterval = time.Hour // one sample: history charts stay fixed
	km := DefaultKeyMap()
	opts.Keys = &km
	tm := teatest.NewTestModel(t, New(opts), teatest.WithInitialTermSize(w, h))
	gpuText := "NVML library not found"
	if len(sc.gpu(context.Background()).GPUs) > 0 {
		gpuText = "38C"
	}
	waitForAll(t, tm, "dB]", "cuda:0", gpuText) // every sampler has reported
	if sc.drive != nil {
		sc.drive(t, tm, km, events)
	}
	if len(sc.want) > 0 {
		waitForAll(t, tm, sc.want...)
	}
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
	teatest.RequireEqualOutput(t, []byte(final.View()))
}

var _ tea.Model = Model{}

// waitForAll waits until the program has drawn every one of texts.
func waitForAll(t *testing.T, tm *teatest.TestModel, texts ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range texts {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}
