// Package picker is a small list to choose one item from (an audio
// device, an LLM model, a code block to copy), shown in place of the
// conversation. It knows nothing of what it lists: the root model fills
// it, and acts on the item picked.
package picker

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"parley/ui/common"
)

// Item is one row of the list.
type Item struct {
	// Title is the main text, e.g. a device's name.
	Title string
	// Detail is shown muted after the title, e.g. the device's id.
	Detail string
	// Value identifies the item to whoever acts on it.
	Value string
	// Group is a tag for whoever acts on it, e.g. "capture".
	Group string
	// Current marks the item in use now.
	Current bool
	// Heading makes the row a section title the cursor skips.
	Heading bool
}

// Outcome is what a key did to the picker.
type Outcome struct {
	// Picked is true when the user chose Item (Enter).
	Picked bool
	// Item is the chosen item.
	Item Item
	// Closed is true when the picker closed (picked or cancelled).
	Closed bool
}

// Model is the picker. Its zero value is closed; use New.
type Model struct {
	common  common.Common
	kind    string
	title   string
	items   []Item
	cursor  int
	offset  int // first row shown
	loading bool
	err     string
}

// New returns a closed picker.
func New(c common.Common) Model {
	return Model{common: c}
}

// Open shows the picker, empty and loading, for a kind of choice (the
// caller's name for it, e.g. "device"), under title.
func (m *Model) Open(kind, title string) {
	*m = Model{common: m.common, kind: kind, title: title, loading: true}
}

// Close hides the picker.
func (m *Model) Close() {
	m.kind = ""
}

// IsOpen reports whether the picker is shown.
func (m Model) IsOpen() bool {
	return m.kind != ""
}

// Kind is the kind of choice the open picker offers ("" when closed).
func (m Model) Kind() string {
	return m.kind
}

// SetItems fills the list and puts the cursor on the current item (else
// the first that is not a heading).
func (m *Model) SetItems(items []Item) {
	m.items, m.loading, m.err, m.cursor = items, false, "", -1
	for i, it := range items {
		if it.Heading {
			continue
		}
		if m.cursor < 0 || it.Current {
			m.cursor = i
		}
		if it.Current {
			break
		}
	}
	m.follow()
}

// SetError shows why the list could not be had.
func (m *Model) SetError(err error) {
	m.loading, m.err = false, err.Error()
}

// SetSize sets the picker's outer size.
func (m *Model) SetSize(w, h int) {
	m.common.SetSize(w, h)
	m.follow()
}

// HandleKey moves the cursor (the scroll keys), picks (Enter) or closes
// (Esc, or the quit key).
func (m Model) HandleKey(k tea.KeyMsg) (Model, Outcome) {
	keys := m.common.Keys
	switch {
	case k.Type == tea.KeyEsc || key.Matches(k, keys.Quit):
		m.Close()
		return m, Outcome{Closed: true}
	case k.Type == tea.KeyEnter:
		if m.cursor < 0 || m.cursor >= len(m.items) {
			return m, Outcome{}
		}
		m.Close()
		return m, Outcome{Picked: true, Item: m.items[m.cursor], Closed: true}
	case key.Matches(k, keys.ScrollUp):
		m.move(-1)
	case key.Matches(k, keys.ScrollDown):
		m.move(1)
	case key.Matches(k, keys.ScrollTop):
		m.move(-len(m.items))
	case key.Matches(k, keys.ScrollBottom):
		m.move(len(m.items))
	}
	return m, Outcome{}
}

// move steps the cursor by d selectable rows, stopping at the ends.
func (m *Model) move(d int) {
	step := 1
	if d < 0 {
		step, d = -1, -d
	}
	for ; d > 0; d-- {
		next := m.cursor + step
		for next >= 0 && next < len(m.items) && m.items[next].Heading {
			next += step
		}
		if next < 0 || next >= len(m.items) {
			break
		}
		m.cursor = next
	}
	m.follow()
}

// follow scrolls so the cursor's row (and a heading just above it) shows.
func (m *Model) follow() {
	h := m.listHeight()
	if h <= 0 || m.cursor < 0 {
		return
	}
	top := m.cursor
	if top > 0 && m.items[top-1].Heading {
		top--
	}
	m.offset = min(m.offset, top)
	m.offset = max(m.offset, m.cursor-h+1, 0)
}
