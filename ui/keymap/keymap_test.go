package keymap

import (
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/exp/golden"
)

func TestParseKeyMapErrors(t *testing.T) {
	cases := []struct {
		name  string
		remap map[string][]string
		want  string
	}{
		{"unknown action", map[string][]string{"launch_rockets": {"x"}}, "ui.keys.launch_rockets: unknown action"},
		{"empty keys", map[string][]string{Mute: {}}, "ui.keys.mute: no keys given"},
		{"bad key", map[string][]string{ToggleASR: {"ctrl+shift+banana"}}, `ui.keys.toggle_asr: invalid key "ctrl+shift+banana"`},
		{"empty key", map[string][]string{Quit: {""}}, `ui.keys.quit: invalid key ""`},
		{"two runes", map[string][]string{Help: {"ab"}}, `ui.keys.help: invalid key "ab"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseKeyMap(c.remap)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func TestParseKeyMapRemaps(t *testing.T) {
	km, err := ParseKeyMap(map[string][]string{ToggleASR: {"x", "f5"}, PushToTalk: {"alt+space"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"x", "f5"} {
		msg, ok := ToKeyMsg(k)
		if !ok || !key.Matches(msg, km.ToggleASR) {
			t.Errorf("%q does not toggle ASR", k)
		}
	}
	if msg, _ := ToKeyMsg("a"); key.Matches(msg, km.ToggleASR) {
		t.Error("default key still bound")
	}
	if msg, _ := ToKeyMsg("alt+space"); !key.Matches(msg, km.PushToTalk) {
		t.Error("alt+space not bound")
	}
	if km.ToggleASR.Help().Key != "x/f5" {
		t.Errorf("help key %q", km.ToggleASR.Help().Key)
	}
}

// TestDefaultKeysPressable: every default key is one the terminal sends,
// and no key is bound to two actions.
func TestDefaultKeysPressable(t *testing.T) {
	km := Default()
	seen := map[string]string{}
	for _, a := range Actions() {
		b, ok := km.Binding(a)
		if !ok || len(b.Keys()) == 0 {
			t.Fatalf("%s unbound", a)
		}
		for _, k := range b.Keys() {
			msg, ok := ToKeyMsg(k)
			if !ok || msg.String() != k {
				t.Errorf("%s: key %q gives %q", a, k, msg.String())
			}
			if other, dup := seen[k]; dup {
				t.Errorf("%q bound to %s and %s", k, other, a)
			}
			seen[k] = a
		}
	}
}

func TestHelpTextGolden(t *testing.T) {
	golden.RequireEqual(t, []byte(HelpText(Default())))
}

func TestFullHelpCoversAll(t *testing.T) {
	n := 0
	for _, col := range Default().FullHelp() {
		n += len(col)
	}
	if n != len(Actions()) {
		t.Errorf("FullHelp has %d bindings, want %d", n, len(Actions()))
	}
}
