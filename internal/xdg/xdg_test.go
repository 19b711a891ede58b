package xdg

import (
	"path/filepath"
	"testing"
)

func TestDir(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/s")
	if got := Dir("XDG_STATE_HOME", ".local/state"); got != "/s/parley" {
		t.Errorf("set: %s", got)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/u")
	if got := Dir("XDG_STATE_HOME", ".local/state"); got != filepath.Join("/home/u", ".local/state", "parley") {
		t.Errorf("unset: %s", got)
	}
}
