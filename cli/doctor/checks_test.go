package doctor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDoctorChecksKeysAndLogFolder: an unknown [ui.keys] action and a
// log.dir that cannot be written are problems that name the key and folder.
func TestDoctorChecksKeysAndLogFolder(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for body, want := range map[string]string{
		"[ui.keys]\nfrobnicate = [\"x\"]\n":          "PROBLEM: ui.keys.frobnicate: unknown action",
		"[log]\ndir = \"" + file + "/log\"\n":        "PROBLEM: log folder " + file + "/log (log.dir) is not writable",
		"[ui.keys]\nquit = [\"no-such-key-name\"]\n": "PROBLEM: ui.keys.quit: invalid key",
	} {
		out, err := doctor(t, body)
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("%s: err %v; report lacks %q:\n%s", body, err, want, out)
		}
	}
}

func TestWritable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "state")
	if err := writable(dir); err != nil {
		t.Fatalf("a folder that can be made: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the check left %d files behind", len(entries))
	}
}
