package conversation

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"parley/pipeline"
	"parley/ui/common"
	"parley/ui/keymap"
	"parley/ui/markdown"
	"parley/ui/styles"
)

func init() {
	lipgloss.SetColorProfile(termenv.Ascii)
}

func newTest(w, h int) Model {
	km := keymap.Default()
	md := markdown.New(markdown.Options{Profile: termenv.Ascii, Unicode: false})
	m := New(common.Common{Styles: styles.Default(false), Keys: &km, Now: time.Now}, md)
	m.SetSize(w, h)
	return m
}

func send(m Model, kind pipeline.Kind, turn pipeline.TurnID, text string) Model {
	m, _ = m.Update(common.EventMsg{Event: pipeline.Event{Kind: kind, Turn: turn, Text: text}})
	return m
}

func TestStreaming(t *testing.T) {
	m := newTest(40, 12)
	m = send(m, pipeline.KindPartial, 1, "hello")
	m = send(m, pipeline.KindPartial, 1, "hello wor")
	if v := m.View(); !strings.Contains(v, "hello wor...") || strings.Count(v, "you") != 1 {
		t.Fatalf("partial should update in place and end with ...:\n%s", v)
	}
	m = send(m, pipeline.KindHeard, 1, "Hello world.")
	m = send(m, pipeline.KindAnswerDelta, 1, "Hi ")
	m = send(m, pipeline.KindAnswerDelta, 1, "there")
	m, _ = m.Update(RenderTickMsg{})
	if v := m.View(); !strings.Contains(v, "Hi there_") {
		t.Fatalf("streaming reply should show the cursor:\n%s", v)
	}
	m = send(m, pipeline.KindAnswer, 1, "Hi there, friend.")
	m = send(m, pipeline.KindHeard, 2, "Tell me everything about the history of the world")
	m = send(m, pipeline.KindAnswerDelta, 2, "It began")
	m = send(m, pipeline.KindInterrupted, 2, "")
	m = send(m, pipeline.KindError, 2, "LLM timed out")
	golden.RequireEqual(t, []byte(m.View()))
}

func TestScroll(t *testing.T) {
	m := newTest(40, 6) // 4 visible lines
	for i := range 10 {
		m = send(m, pipeline.KindHeard, pipeline.TurnID(i+1), "line")
	}
	km := keymap.Default()
	press := func(b string) {
		msg, _ := keymap.ToKeyMsg(b)
		m, _ = m.Update(tea.KeyMsg(msg))
	}
	press(km.ScrollUp.Keys()[0])
	if m.offset != 1 || !strings.Contains(m.Title(), "1 lines below") {
		t.Fatalf("offset %d title %q", m.offset, m.Title())
	}
	m = send(m, pipeline.KindHeard, 99, "new") // view stays put while scrolled
	if m.offset != 2 {
		t.Fatalf("offset %d after new line", m.offset)
	}
	press(km.ScrollTop.Keys()[0])
	if m.offset != 7 {
		t.Fatalf("top offset %d", m.offset)
	}
	press(km.ScrollBottom.Keys()[0])
	if m.offset != 0 {
		t.Fatalf("bottom offset %d", m.offset)
	}
	m.SetSize(20, 6) // rewrap keeps the offset in range
	m.Clear()
	if m.Len() != 0 || m.View() == "" {
		t.Fatal("clear")
	}
}

// TestStreamingRenderIsBounded: the first delta renders at once, later
// ones wait for the render tick, the final answer always renders, and the
// tick stops once nothing is left to render.
func TestStreamingRenderIsBounded(t *testing.T) {
	m := newTest(60, 12)
	m, cmd := m.Update(common.EventMsg{Event: pipeline.Event{Kind: pipeline.KindAnswerDelta, Turn: 1, Text: "# Title"}})
	if cmd == nil || !strings.Contains(m.View(), "# Title_") {
		t.Fatalf("first delta: cmd %v\n%s", cmd, m.View())
	}
	m, cmd = m.Update(common.EventMsg{Event: pipeline.Event{Kind: pipeline.KindAnswerDelta, Turn: 1, Text: "\n\n- one"}})
	if cmd != nil || strings.Contains(m.View(), "- one") {
		t.Fatalf("second delta rendered before the tick (cmd %v):\n%s", cmd, m.View())
	}
	m, cmd = m.Update(RenderTickMsg{})
	if cmd == nil || !strings.Contains(m.View(), "- one_") {
		t.Fatalf("tick did not render:\n%s", m.View())
	}
	if _, cmd = m.Update(RenderTickMsg{}); cmd != nil {
		t.Fatal("tick re-armed with nothing to render")
	}
	m = send(m, pipeline.KindAnswerDelta, 1, "\n- two")
	m = send(m, pipeline.KindAnswer, 1, "# Title\n\n- one\n- two")
	if v := m.View(); !strings.Contains(v, "- two") || strings.Contains(v, "two_") {
		t.Fatalf("final answer not rendered in full:\n%s", v)
	}
}

func TestRenderedAnswer(t *testing.T) {
	m := newTest(60, 24)
	m = send(m, pipeline.KindHeard, 1, "print hello in Go")
	m = send(m, pipeline.KindAnswer, 1, "Like this:\n\n```go\nfunc main() {\n\tfmt.Println(\"hello\")\n}\n```\n\n| engine | device |\n|---|---|\n| ASR | cuda:0 |\n")
	v := m.View()
	if strings.Contains(v, "```") || strings.Contains(v, "|---|") {
		t.Fatalf("markdown syntax shown:\n%s", v)
	}
	golden.RequireEqual(t, []byte(v))
}

func TestAnswerRewrapsAndCachesByWidth(t *testing.T) {
	m := newTest(80, 20)
	m = send(m, pipeline.KindAnswer, 1, strings.Repeat("word ", 30))
	wide := m.total
	m.SetSize(40, 20)
	if m.total <= wide {
		t.Fatalf("narrower pane: %d lines, was %d", m.total, wide)
	}
	m.SetSize(80, 20)
	if m.total != wide || len(m.entries[0].cache) != 2 {
		t.Fatalf("back to 80: %d lines (want %d), %d widths cached", m.total, wide, len(m.entries[0].cache))
	}
}

func TestFactsStayOneLine(t *testing.T) {
	m := newTest(40, 10)
	fact := func(f, text string) {
		m, _ = m.Update(common.EventMsg{Event: pipeline.Event{Kind: pipeline.KindInfo, Fact: f, Text: text, Detail: "a long detail the screen never shows"}})
	}
	fact("gpu", "CPU only — no NVIDIA driver")
	fact("llm", "LLM offline: start Ollama or set llm.base_url · parley doctor")
	fact("llm", "LLM online: llama3.2")
	v := m.View()
	if m.total != 2 || strings.Contains(v, "offline") || strings.Contains(v, "detail") || !strings.Contains(v, "llm    LLM online") {
		t.Fatalf("want one line per fact, the newest, no detail (%d lines):\n%s", m.total, v)
	}
}

// TestFactWithAnAddress: a fact that carries a web address too long for
// the line wraps instead of losing the end of the address.
func TestFactWithAnAddress(t *testing.T) {
	m := newTest(80, 10)
	url := "http://127.0.0.1:8765/?token=ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	m, _ = m.Update(common.EventMsg{Event: pipeline.Event{Kind: pipeline.KindInfo, Fact: "audio", Text: "browser audio: open " + url}})
	if v := m.View(); !strings.Contains(v, url) || !strings.Contains(v, "audio  browser audio: open") || m.total != 2 {
		t.Fatalf("want the whole address on the line after the fact (%d lines):\n%s", m.total, v)
	}
}

func TestHintUntilFirstTurn(t *testing.T) {
	m := newTest(40, 10)
	m.SetHint("space to talk | i to type")
	if !strings.Contains(m.View(), "i to type") {
		t.Fatalf("no hint:\n%s", m.View())
	}
	m = send(m, pipeline.KindPartial, 1, "hel")
	if strings.Contains(m.View(), "i to type") {
		t.Fatalf("hint after the first turn:\n%s", m.View())
	}
	m.Clear()
	if strings.Contains(m.View(), "i to type") {
		t.Fatal("hint back after clear")
	}
}

func TestRestoreAndLastAnswer(t *testing.T) {
	m := newTest(60, 12)
	m.Restore([]pipeline.Turn{{ID: 1, User: "hi", Answer: "Hello."}, {ID: 2, User: "story", Answer: "Once", Interrupted: true}})
	if m.LastAnswer() != "Once" || !strings.Contains(m.View(), "[interrupted]") {
		t.Fatalf("restored: last %q\n%s", m.LastAnswer(), m.View())
	}
	m = send(m, pipeline.KindHeard, 1, "new turn 1") // ids restart in the new session
	m = send(m, pipeline.KindAnswer, 1, "New answer.")
	if m.Len() != 6 || m.LastAnswer() != "New answer." || !strings.Contains(m.View(), "Hello.") {
		t.Fatalf("new turn touched the restored ones (%d entries):\n%s", m.Len(), m.View())
	}
}

// TestSlowRenderStretchesTheWait: a render that costs more than a quarter
// of RenderInterval makes the next streaming render wait four times its
// cost, bounding the CPU streaming takes.
func TestSlowRenderStretchesTheWait(t *testing.T) {
	m := newTest(60, 12)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	m.common.Now = func() time.Time { now = now.Add(50 * time.Millisecond); return now }
	m = send(m, pipeline.KindAnswerDelta, 1, "slow")
	if m.wait != 200*time.Millisecond {
		t.Fatalf("wait %v after a 50ms render, want 200ms", m.wait)
	}
	m.common.Now = time.Now // fast again: back to the interval
	m = send(m, pipeline.KindAnswerDelta, 1, " now fast")
	m, _ = m.Update(RenderTickMsg{})
	if m.wait != RenderInterval {
		t.Fatalf("wait %v after a fast render, want %v", m.wait, RenderInterval)
	}
}
