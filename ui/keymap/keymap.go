// Package keymap holds parley's one keymap: every user action, its keys and
// its help text, remappable by action name from the config file
// (ui.keys.<action>).
package keymap

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
)

// Action names, as written in the config file under ui.keys.
const (
	ToggleASR    = "toggle_asr"
	ToggleTTS    = "toggle_tts"
	PushToTalk   = "push_to_talk"
	Mute         = "mute"
	BargeIn      = "barge_in"
	Clear        = "clear"
	ScrollUp     = "scroll_up"
	ScrollDown   = "scroll_down"
	PageUp       = "page_up"
	PageDown     = "page_down"
	ScrollTop    = "scroll_top"
	ScrollBottom = "scroll_bottom"
	FocusNext    = "focus_next"
	Help         = "help"
	Quit         = "quit"
	Type         = "type"
	Copy         = "copy"
	CopyPick     = "copy_pick"
	PickDevice   = "pick_device"
	PickModel    = "pick_model"
)

// KeyMap binds every action to its keys. Build it with Default or
// ParseKeyMap; the zero value has no keys.
type KeyMap struct {
	ToggleASR    key.Binding
	ToggleTTS    key.Binding
	PushToTalk   key.Binding
	Mute         key.Binding
	BargeIn      key.Binding
	Clear        key.Binding
	ScrollUp     key.Binding
	ScrollDown   key.Binding
	PageUp       key.Binding
	PageDown     key.Binding
	ScrollTop    key.Binding
	ScrollBottom key.Binding
	FocusNext    key.Binding
	Help         key.Binding
	Quit         key.Binding
	Type         key.Binding
	Copy         key.Binding
	CopyPick     key.Binding
	PickDevice   key.Binding
	PickModel    key.Binding
}

// spec is one action's default keys and help description.
type spec struct {
	name string
	keys []string
	desc string
	get  func(*KeyMap) *key.Binding
}

// specs lists the actions in help order. It is a data table.
func specs() []spec {
	return []spec{
		{ToggleASR, []string{"a"}, "ASR cpu/gpu", func(k *KeyMap) *key.Binding { return &k.ToggleASR }},
		{ToggleTTS, []string{"t"}, "TTS cpu/gpu", func(k *KeyMap) *key.Binding { return &k.ToggleTTS }},
		{PushToTalk, []string{"space"}, "push-to-talk", func(k *KeyMap) *key.Binding { return &k.PushToTalk }},
		{Mute, []string{"m"}, "mute mic", func(k *KeyMap) *key.Binding { return &k.Mute }},
		{BargeIn, []string{"b"}, "barge-in on/off", func(k *KeyMap) *key.Binding { return &k.BargeIn }},
		{Clear, []string{"c", "ctrl+l"}, "clear conversation", func(k *KeyMap) *key.Binding { return &k.Clear }},
		{ScrollUp, []string{"up", "k"}, "scroll up", func(k *KeyMap) *key.Binding { return &k.ScrollUp }},
		{ScrollDown, []string{"down", "j"}, "scroll down", func(k *KeyMap) *key.Binding { return &k.ScrollDown }},
		{PageUp, []string{"pgup", "ctrl+u"}, "page up", func(k *KeyMap) *key.Binding { return &k.PageUp }},
		{PageDown, []string{"pgdown", "ctrl+d"}, "page down", func(k *KeyMap) *key.Binding { return &k.PageDown }},
		{ScrollTop, []string{"home", "g"}, "scroll to top", func(k *KeyMap) *key.Binding { return &k.ScrollTop }},
		{ScrollBottom, []string{"end", "G"}, "scroll to bottom", func(k *KeyMap) *key.Binding { return &k.ScrollBottom }},
		{FocusNext, []string{"tab"}, "focus next pane", func(k *KeyMap) *key.Binding { return &k.FocusNext }},
		{Type, []string{"i"}, "type a message", func(k *KeyMap) *key.Binding { return &k.Type }},
		{Copy, []string{"y"}, "copy code", func(k *KeyMap) *key.Binding { return &k.Copy }},
		{CopyPick, []string{"Y"}, "pick code to copy", func(k *KeyMap) *key.Binding { return &k.CopyPick }},
		{PickDevice, []string{"d"}, "mic/speaker", func(k *KeyMap) *key.Binding { return &k.PickDevice }},
		{PickModel, []string{"l"}, "LLM model", func(k *KeyMap) *key.Binding { return &k.PickModel }},
		{Help, []string{"?"}, "help", func(k *KeyMap) *key.Binding { return &k.Help }},
		{Quit, []string{"q", "ctrl+c"}, "quit", func(k *KeyMap) *key.Binding { return &k.Quit }},
	}
}

// Actions returns every action name in help order.
func Actions() []string {
	ss := specs()
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.name
	}
	return names
}

// Default returns the built-in keymap.
func Default() KeyMap {
	var km KeyMap
	for _, s := range specs() {
		*s.get(&km) = newBinding(s.keys, s.desc)
	}
	return km
}

// ParseKeyMap returns the default keymap with the actions named in remap
// bound to the given keys instead. Unknown action names, empty key lists and
// keys the terminal cannot send are errors that name ui.keys.<action>.
func ParseKeyMap(remap map[string][]string) (KeyMap, error) {
	km := Default()
	byName := make(map[string]spec)
	for _, s := range specs() {
		byName[s.name] = s
	}
	for _, name := range sortedKeys(remap) {
		s, ok := byName[name]
		if !ok {
			return KeyMap{}, fmt.Errorf("ui.keys.%s: unknown action (known: %s)", name, strings.Join(Actions(), ", "))
		}
		keys, err := normalizeKeys(remap[name])
		if err != nil {
			return KeyMap{}, fmt.Errorf("ui.keys.%s: %w", name, err)
		}
		*s.get(&km) = newBinding(keys, s.desc)
	}
	return km, nil
}

// normalizeKeys validates keys and rejects an empty list.
func normalizeKeys(keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("no keys given")
	}
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if _, ok := ToKeyMsg(k); !ok {
			return nil, fmt.Errorf("invalid key %q (use a single character or a name such as ctrl+x, alt+x, f5, space, enter, pgup)", k)
		}
		out = append(out, k)
	}
	return out, nil
}

// newBinding builds a binding whose keys match tea.KeyMsg.String() values.
func newBinding(keys []string, desc string) key.Binding {
	match := make([]string, len(keys))
	for i, k := range keys {
		match[i] = matchString(k)
	}
	return key.NewBinding(key.WithKeys(match...), key.WithHelp(displayKeys(keys), desc))
}

// displayKeys joins keys for help, e.g. "up/k".
func displayKeys(keys []string) string {
	return strings.Join(keys, "/")
}

func sortedKeys(m map[string][]string) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
