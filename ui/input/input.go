// Package input is the text box at the bottom of the conversation where
// the user types a turn instead of speaking it: Enter sends, ctrl+j (or
// alt+enter) starts a new line, a paste keeps its lines, Esc cancels.
package input

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	tea "github.com/charmbracelet/bubbletea"

	"parley/ui/common"
)

// maxBodyLines is the most lines the box grows to; longer text scrolls.
const maxBodyLines = 8

// Outcome is what a key did to the input.
type Outcome struct {
	// Submit is the text to send when the user pressed Enter.
	Submit string
	// Cancelled is true when the user pressed Esc.
	Cancelled bool
}

// Model is the text input. Its zero value is closed; use New.
type Model struct {
	common common.Common
	ta     textarea.Model
	open   bool
}

// New returns a closed input.
func New(c common.Common) Model {
	ta := textarea.New()
	ta.Prompt = ""
	ta.ShowLineNumbers = false
	ta.CharLimit = 0
	ta.MaxHeight = 0
	ta.Placeholder = "type a message"
	ta.KeyMap.InsertNewline = key.NewBinding(key.WithKeys("ctrl+j", "alt+enter"))
	ta.KeyMap.Paste.SetEnabled(false) // pastes arrive from the terminal (bracketed paste)
	focused, blurred := textarea.DefaultStyles()
	focused.CursorLine, focused.Placeholder = focused.Text, c.Styles.Muted
	ta.FocusedStyle, ta.BlurredStyle = focused, blurred
	// A steady cursor: no blink ticks, and frames that tests can compare.
	ta.Cursor.SetMode(cursor.CursorStatic)
	return Model{common: c, ta: ta}
}

// IsOpen reports whether the input is shown and takes the keys.
func (m Model) IsOpen() bool {
	return m.open
}

// Open shows the input with text in it ("", or what the user pasted).
func (m *Model) Open(text string) tea.Cmd {
	m.open = true
	m.ta.SetHeight(maxBodyLines)
	m.ta.SetValue(normalizeNewlines(text))
	return m.ta.Focus()
}

// Close hides the input and empties it.
func (m *Model) Close() {
	m.open = false
	m.ta.Reset()
	m.ta.Blur()
}

// Height is the number of screen lines the open input wants: its text
// (1 to maxBodyLines) and the box around it; 0 when closed.
func (m Model) Height() int {
	if !m.open {
		return 0
	}
	return min(max(m.ta.LineCount(), 1), maxBodyLines) + 2
}

// SetSize sets the box's outer size.
func (m *Model) SetSize(w, h int) {
	m.common.SetSize(w, h)
	m.ta.SetWidth(max(w-2, 1))
	m.ta.SetHeight(max(h-2, 1))
	m.ta, _ = m.ta.Update(nil) // scroll the cursor's line into the new size
}

// HandleKey edits the text, or sends it (Enter) or cancels (Esc).
func (m Model) HandleKey(k tea.KeyMsg) (Model, Outcome, tea.Cmd) {
	switch {
	case k.Type == tea.KeyEsc:
		m.Close()
		return m, Outcome{Cancelled: true}, nil
	case k.Type == tea.KeyEnter && !k.Alt && !k.Paste:
		text := m.ta.Value()
		if strings.TrimSpace(text) == "" {
			return m, Outcome{}, nil
		}
		m.Close()
		return m, Outcome{Submit: text}, nil
	case k.Paste:
		k.Runes = []rune(normalizeNewlines(string(k.Runes)))
	}
	// Edit at the tallest size, so the text does not scroll while the box
	// grows to fit it; the layout then sets the real size (SetSize).
	m.ta.SetHeight(maxBodyLines)
	var cmd tea.Cmd
	m.ta, cmd = m.ta.Update(k)
	return m, Outcome{}, cmd
}

// normalizeNewlines turns the CR and CRLF line ends a terminal pastes
// into LF, so each pasted line becomes one line.
func normalizeNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// View renders the box: the text, and how to send or cancel in its title.
func (m Model) View() string {
	c := m.common
	if !m.open || c.Width <= 0 || c.Height <= 0 {
		return ""
	}
	dot := " " + c.Styles.Glyphs.Dot + " "
	title := "type" + dot + "enter send" + dot + "ctrl+j new line" + dot + "esc cancel"
	return common.Box(c.Styles, c.Width, c.Height, title, strings.Split(m.ta.View(), "\n"), true)
}
