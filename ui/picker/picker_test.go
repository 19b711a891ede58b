package picker

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"parley/ui/common"
	"parley/ui/keymap"
	"parley/ui/styles"
)

func init() {
	lipgloss.SetColorProfile(termenv.Ascii)
}

func newPicker(h int) (Model, keymap.KeyMap) {
	km := keymap.Default()
	m := New(common.Common{Styles: styles.Default(false), Keys: &km, Now: time.Now})
	m.Open("device", "devices")
	m.SetSize(40, h)
	return m, km
}

func press(t *testing.T, m Model, b string) (Model, Outcome) {
	t.Helper()
	k, ok := keymap.ToKeyMsg(b)
	if !ok {
		t.Fatalf("cannot press %q", b)
	}
	return m.HandleKey(k)
}

func items() []Item {
	return []Item{
		{Title: "capture", Heading: true},
		{Title: "mic", Value: "m1", Group: "capture"},
		{Title: "virtmic", Value: "v", Group: "capture", Current: true},
		{Title: "playback", Heading: true},
		{Title: "speaker", Value: "s1", Group: "playback"},
	}
}

func TestCursorSkipsHeadingsAndStartsOnCurrent(t *testing.T) {
	m, km := newPicker(10)
	m.SetItems(items())
	if m.cursor != 2 {
		t.Fatalf("cursor %d, want the current item", m.cursor)
	}
	m, _ = press(t, m, km.ScrollDown.Keys()[0])
	if m.cursor != 4 {
		t.Fatalf("down: cursor %d, want 4 (past the heading)", m.cursor)
	}
	m, _ = press(t, m, km.ScrollDown.Keys()[0]) // stays at the end
	m, _ = press(t, m, km.ScrollTop.Keys()[0])
	if m.cursor != 1 {
		t.Fatalf("top: cursor %d, want 1", m.cursor)
	}
	m, out := m.HandleKey(tea.KeyMsg{Type: tea.KeyEnter})
	if !out.Picked || out.Item.Value != "m1" || m.IsOpen() {
		t.Fatalf("enter: %+v open %v", out, m.IsOpen())
	}
}

func TestScrollFollowsCursor(t *testing.T) {
	m, km := newPicker(6) // 3 rows of list
	var many []Item
	for i := range 10 {
		many = append(many, Item{Title: strings.Repeat("x", i+1), Value: string(rune('a' + i))})
	}
	m.SetItems(many)
	for range 7 {
		m, _ = press(t, m, km.ScrollDown.Keys()[0])
	}
	if v := m.View(); !strings.Contains(v, "> xxxxxxxx ") || m.offset != 5 {
		t.Fatalf("offset %d:\n%s", m.offset, v)
	}
}

func TestCloseAndStates(t *testing.T) {
	m, km := newPicker(8)
	if !strings.Contains(m.View(), "loading") {
		t.Fatalf("no loading line:\n%s", m.View())
	}
	m.SetError(errors.New("list devices: no audio server"))
	if !strings.Contains(m.View(), "no audio server") {
		t.Fatalf("no error:\n%s", m.View())
	}
	m, out := m.HandleKey(tea.KeyMsg{Type: tea.KeyEnter}) // nothing to pick
	if out.Picked || !m.IsOpen() {
		t.Fatal("picked from an error")
	}
	m, out = press(t, m, km.Quit.Keys()[0])
	if !out.Closed || out.Picked || m.IsOpen() || m.View() != "" {
		t.Fatalf("quit key: %+v", out)
	}
}
