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
	"parley/ui/styles"
)

func init() {
	lipgloss.SetColorProfile(termenv.Ascii)
}

func newTest(w, h int) Model {
	km := keymap.Default()
	m := New(common.Common{Styles: styles.Default(false), Keys: &km, Now: time.Now})
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
