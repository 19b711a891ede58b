package ui

import (
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"parley/pipeline"
	"parley/ui/common"
)

// loaded returns a model with a conversation, device states and GPUs.
func loaded(t testing.TB, w, h int) Model {
	t.Helper()
	f := newFakeDevices()
	f.setFallback("asr", "CUDA out of memory")
	m := New(testOptions(f, nil, twoGPUs))
	m = step(m, common.ModelsSampledMsg{Models: f.States(), Info: info()})
	m = step(m, m.gpu.Init()())
	for _, e := range conversationEvents() {
		m = step(m, common.EventMsg{Event: e})
	}
	return step(m, tea.WindowSizeMsg{Width: w, Height: h})
}

// step runs one message through Update.
func step(m Model, msg tea.Msg) Model {
	next, _ := m.Update(msg)
	return next.(Model)
}

// TestViewFillsScreen checks that every frame is exactly the terminal's
// size at many sizes (tiny ones included): no wrapping, no flicker.
func TestViewFillsScreen(t *testing.T) {
	m := loaded(t, 80, 24)
	for w := 0; w <= 170; w += 3 {
		for h := 0; h <= 50; h += 2 {
			for _, help := range []bool{false, true} {
				m = step(m, tea.WindowSizeMsg{Width: w, Height: h})
				m.help = help
				checkFrame(t, m.View(), w, h)
			}
		}
	}
}

func checkFrame(t *testing.T, v string, w, h int) {
	t.Helper()
	if w == 0 || h == 0 {
		if v != "" {
			t.Fatalf("%dx%d: want empty view", w, h)
		}
		return
	}
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Fatalf("%dx%d: %d lines", w, h, len(lines))
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n != w {
			t.Fatalf("%dx%d: line %d is %d wide: %q", w, h, i, n, l)
		}
	}
}

func TestTinyNoPanic(t *testing.T) {
	m := loaded(t, 20, 5)
	checkFrame(t, m.View(), 20, 5)
	if !strings.Contains(m.View(), "eiffel") {
		t.Errorf("20x5 should still show the latest words:\n%s", m.View())
	}
}

// TestStaleDeltasDropped: after a barge-in bumps the turn, late deltas of
// the cancelled turn must not reach the conversation.
func TestStaleDeltasDropped(t *testing.T) {
	m := New(testOptions(newFakeDevices(), nil, noGPU))
	m = step(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	for _, e := range []pipeline.Event{
		ev(pipeline.KindHeard, 1, "first question"),
		ev(pipeline.KindAnswerDelta, 1, "first "),
		ev(pipeline.KindInterrupted, 1, ""),
		ev(pipeline.KindSpeechStart, 2, ""),
		ev(pipeline.KindAnswerDelta, 1, "LATE-DELTA"),
		ev(pipeline.KindPartial, 1, "LATE-PARTIAL"),
		ev(pipeline.KindAnswer, 1, "LATE-ANSWER"),
		ev(pipeline.KindHeard, 2, "second question"),
	} {
		m = step(m, common.EventMsg{Event: e})
	}
	v := m.View()
	if strings.Contains(v, "LATE") {
		t.Errorf("stale events shown:\n%s", v)
	}
	for _, want := range []string{"first", "[interrupted]", "second question"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q:\n%s", want, v)
		}
	}
}

// TestWaitForEvent: events are read one at a time; a closed channel stops.
func TestWaitForEvent(t *testing.T) {
	ch := make(chan pipeline.Event, 1)
	ch <- ev(pipeline.KindHeard, 1, "hi")
	if msg, ok := waitForEvent(ch)().(common.EventMsg); !ok || msg.Event.Text != "hi" {
		t.Fatalf("got %#v", msg)
	}
	close(ch)
	if _, ok := waitForEvent(ch)().(common.PipelineStoppedMsg); !ok {
		t.Fatal("closed channel should give PipelineStoppedMsg")
	}
	if waitForEvent(nil) != nil {
		t.Fatal("nil channel should give no command")
	}
}

// TestEventRearms: each event message re-arms the reader.
func TestEventRearms(t *testing.T) {
	ch := make(chan pipeline.Event, 2)
	m := New(Options{Sources: Sources{Events: ch}, Now: fixedNow})
	ch <- ev(pipeline.KindHeard, 1, "again")
	_, cmd := m.Update(common.EventMsg{Event: ev(pipeline.KindHeard, 1, "one")})
	if !containsMsg(cmd, func(msg tea.Msg) bool {
		e, ok := msg.(common.EventMsg)
		return ok && e.Event.Text == "again"
	}) {
		t.Fatal("event reader not re-armed")
	}
}

// containsMsg runs cmd (flattening batches) and looks for a message.
func containsMsg(cmd tea.Cmd, match func(tea.Msg) bool) bool {
	if cmd == nil {
		return false
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			if containsMsg(c, match) {
				return true
			}
		}
		return false
	}
	return match(msg)
}

func TestPipelineStopped(t *testing.T) {
	m := loaded(t, 100, 30)
	m = step(m, common.PipelineStoppedMsg{})
	if v := m.View(); !strings.Contains(v, "stopped") {
		t.Errorf("want stopped state:\n%s", v)
	}
}

// TestFatal: a FatalMsg takes the screen, names the log, any key exits.
func TestFatal(t *testing.T) {
	m := loaded(t, 80, 24)
	m = step(m, FatalMsg{Err: errors.New("audio device vanished")})
	v := m.View()
	for _, want := range []string{"audio device vanished", "/tmp/parley/log.jsonl", "press any key"} {
		if !strings.Contains(v, want) {
			t.Errorf("fatal view lacks %q:\n%s", want, v)
		}
	}
	checkFrame(t, v, 80, 24)
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'x'}})
	if !isQuit(cmd) {
		t.Error("any key should quit after a fatal error")
	}
}

func isQuit(cmd tea.Cmd) bool {
	return containsMsg(cmd, func(msg tea.Msg) bool { _, ok := msg.(tea.QuitMsg); return ok })
}

// TestResizeLive: a resize re-lays out at once.
func TestResizeLive(t *testing.T) {
	m := loaded(t, 160, 48)
	if m.layout.Mode != ModeFull {
		t.Fatalf("160x48 mode %v", m.layout.Mode)
	}
	m = step(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if m.layout.Mode != ModeCompact {
		t.Fatalf("80x24 mode %v", m.layout.Mode)
	}
	checkFrame(t, m.View(), 80, 24)
}

// TestUnicodeFrame: the Unicode glyphs keep every line's width.
func TestUnicodeFrame(t *testing.T) {
	f := newFakeDevices()
	o := testOptions(f, nil, twoGPUs)
	o.Unicode = true
	m := New(o)
	m = step(m, m.gpu.Init()())
	for _, e := range conversationEvents() {
		m = step(m, common.EventMsg{Event: e})
	}
	for _, s := range [][2]int{{80, 24}, {120, 40}, {160, 48}} {
		m = step(m, tea.WindowSizeMsg{Width: s[0], Height: s[1]})
		checkFrame(t, m.View(), s[0], s[1])
	}
	if v := m.View(); !strings.Contains(v, "╭") || !strings.Contains(v, "█") {
		t.Errorf("no Unicode glyphs:\n%s", v)
	}
}
