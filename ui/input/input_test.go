package input

import (
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

func newOpen(t *testing.T) Model {
	t.Helper()
	km := keymap.Default()
	m := New(common.Common{Styles: styles.Default(false), Keys: &km, Now: time.Now})
	m.Open("")
	m.SetSize(40, 5)
	return m
}

func typeText(m Model, s string) Model {
	for _, r := range s {
		m, _, _ = m.HandleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return m
}

func TestPasteKeepsLinesAndEnterSends(t *testing.T) {
	m := newOpen(t)
	m, out, _ := m.HandleKey(tea.KeyMsg{Type: tea.KeyRunes, Paste: true, Runes: []rune("panic: oops\r\n\tmain.go:12\r\nexit 2")})
	if out != (Outcome{}) || m.Height() != 5 {
		t.Fatalf("paste: outcome %+v height %d", out, m.Height())
	}
	m = typeText(m, " q")
	m, _, _ = m.HandleKey(tea.KeyMsg{Type: tea.KeyCtrlJ})
	m = typeText(m, "why?")
	m, out, _ = m.HandleKey(tea.KeyMsg{Type: tea.KeyEnter})
	want := "panic: oops\n    main.go:12\nexit 2 q\nwhy?"
	if out.Submit != want || m.IsOpen() {
		t.Fatalf("submitted %q (open %v), want %q", out.Submit, m.IsOpen(), want)
	}
}

func TestEscCancelsAndBlankDoesNotSend(t *testing.T) {
	m := newOpen(t)
	m = typeText(m, "  ")
	m, out, _ := m.HandleKey(tea.KeyMsg{Type: tea.KeyEnter})
	if out.Submit != "" || !m.IsOpen() {
		t.Fatalf("blank text sent: %+v", out)
	}
	m, out, _ = m.HandleKey(tea.KeyMsg{Type: tea.KeyEsc})
	if !out.Cancelled || m.IsOpen() || m.Height() != 0 || m.View() != "" {
		t.Fatalf("esc: %+v open %v", out, m.IsOpen())
	}
	m = typeText(m, "draft")
	m.Close()
	m.Open("")
	if m.ta.Value() != "" {
		t.Fatalf("reopened input kept %q", m.ta.Value())
	}
}
