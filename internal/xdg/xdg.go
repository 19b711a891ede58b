// Package xdg finds parley's folders under the XDG base directories.
package xdg

import (
	"os"
	"path/filepath"
)

// Dir returns $env/parley, or, when env is unset, parley under fallback
// in the home folder (e.g. XDG_STATE_HOME and .local/state give
// ~/.local/state/parley).
func Dir(env, fallback string) string {
	base := os.Getenv(env)
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = os.TempDir()
		}
		base = filepath.Join(home, fallback)
	}
	return filepath.Join(base, "parley")
}
