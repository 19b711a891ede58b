package bench

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"parley/models"
)

// install puts sparse files of the catalog's sizes where model name is
// installed, so that models.Installed finds it.
func install(t *testing.T, name string) {
	t.Helper()
	e, _ := models.Lookup(name)
	dir := models.InstallDir(models.ModelsDir(), e)
	for _, f := range e.InstalledFiles() {
		path := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, file := range e.Files {
			if file.Name == f {
				_ = os.Truncate(path, file.Size)
			}
		}
	}
	if _, ok := models.Installed(name); !ok {
		t.Fatalf("%s not installed", name)
	}
}

// TestSelectionRunsInstalledModelsWithATarget: an installed Piper voice
// gets rows, an installed Kokoro model (no target yet) does not.
func TestSelectionRunsInstalledModelsWithATarget(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	install(t, "kokoro-v1.0-int8")
	install(t, "piper-en_US-lessac-medium")
	sel := Selection{Kinds: []Kind{KindTTS}, Devices: []string{"cpu"}, FliteVoice: "slt",
		Check: GPUCheck{RuntimeErr: os.ErrNotExist}}
	var names []string
	for _, tg := range sel.Targets(context.Background()) {
		names = append(names, tg.Model)
	}
	if len(names) != 2 || names[0] != "flite/slt" || names[1] != "piper" {
		t.Errorf("targets %q, want flite/slt and piper", names)
	}
}
