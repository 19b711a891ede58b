package keymap

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
)

// Group is a titled set of actions shown together in help.
type Group struct {
	// Title names the group, e.g. "devices".
	Title string
	// Actions are the action names in the group.
	Actions []string
}

// Groups returns the help groups in display order.
func Groups() []Group {
	return []Group{
		{"chat", []string{Type, Copy, CopyPick}},
		{"devices", []string{ToggleASR, ToggleTTS, PickDevice, PickModel}},
		{"audio", []string{PushToTalk, Mute, BargeIn}},
		{"view", []string{Clear, ScrollUp, ScrollDown, PageUp, PageDown, ScrollTop, ScrollBottom, FocusNext}},
		{"app", []string{Help, Quit}},
	}
}

// Binding returns the binding of the named action and whether it exists.
func (k *KeyMap) Binding(action string) (*key.Binding, bool) {
	for _, s := range specs() {
		if s.name == action {
			return s.get(k), true
		}
	}
	return nil, false
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.PushToTalk, k.Type, k.Copy, k.PickDevice, k.Help, k.Quit}
}

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	var out [][]key.Binding
	for _, g := range Groups() {
		col := make([]key.Binding, 0, len(g.Actions))
		for _, a := range g.Actions {
			b, _ := k.Binding(a)
			col = append(col, *b)
		}
		out = append(out, col)
	}
	return out
}

// HelpText renders the keymap as plain text, one action a line grouped by
// purpose, with the config name of each action; suitable for a README.
func HelpText(k KeyMap) string {
	var sb strings.Builder
	for i, g := range Groups() {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(g.Title + ":\n")
		for _, a := range g.Actions {
			b, _ := k.Binding(a)
			h := b.Help()
			fmt.Fprintf(&sb, "  %-16s %-20s ui.keys.%s\n", h.Key, h.Desc, a)
		}
	}
	return sb.String()
}
