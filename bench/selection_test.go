package bench

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
			for _, m := range archiveMembers(file) {
				if m.Name == f {
					_ = os.Truncate(path, m.Size)
				}
			}
		}
	}
	if _, ok := models.Installed(name); !ok {
		t.Fatalf("%s not installed", name)
	}
}

// archiveMembers are the files an archive download installs.
func archiveMembers(f models.File) []models.Member {
	if f.Archive == nil {
		return nil
	}
	return f.Archive.Members
}

// TestSelectionRunsInstalledModels: every installed catalog model gets
// rows after its kind's embedded engine (left out with ONNXOnly), and a
// device that cannot be used gets rows that say why.
func TestSelectionRunsInstalledModels(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	for _, name := range []string{"kokoro-v1.0-int8", "piper-en_US-lessac-medium", "whisper-tiny.en"} {
		install(t, name)
	}
	sel := Selection{Kinds: []Kind{KindASR, KindTTS}, Devices: []string{"cpu", "cuda:0"}, FliteVoice: "slt",
		Check: GPUCheck{RuntimeErr: os.ErrNotExist}}
	for _, onnxOnly := range []bool{false, true} {
		sel.ONNXOnly = onnxOnly
		var got []string
		for _, tg := range sel.Targets(context.Background()) {
			got = append(got, tg.Model+"@"+tg.Device+": "+tg.Missing)
		}
		want := []string{
			"pocketsphinx@cpu: ", "pocketsphinx@cuda:0: pocketsphinx runs on the CPU only",
			"whisper-tiny.en@cpu: ONNX Runtime did not load: file does not exist",
			"whisper-tiny.en@cuda:0: ONNX Runtime did not load: file does not exist",
			"flite/slt@cpu: ", "flite/slt@cuda:0: flite runs on the CPU only",
			"piper@cpu: ONNX Runtime did not load: file does not exist", "piper@cuda:0: ONNX Runtime did not load: file does not exist",
			"kokoro-v1.0-int8@cpu: ONNX Runtime did not load: file does not exist",
			"kokoro-v1.0-int8@cuda:0: ONNX Runtime did not load: file does not exist",
		}
		if onnxOnly {
			want = slices.DeleteFunc(want, func(s string) bool { return strings.HasPrefix(s, "pocketsphinx") || strings.HasPrefix(s, "flite") })
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("onnx only %v: targets\n%s\nwant\n%s", onnxOnly, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	if tg := sel.SoakTarget(context.Background(), KindASR); tg.Model != "whisper-tiny.en" {
		t.Errorf("soak target %+v", tg)
	}
}

// TestGivenModelsFindTheirEngine: a folder given with --asr-model or
// --tts-model is read by the engine whose files it holds.
func TestGivenModelsFindTheirEngine(t *testing.T) {
	kokoro := t.TempDir()
	for _, f := range []string{"kokoro-v1.0.onnx", "voices-v1.0.bin"} {
		if err := os.WriteFile(filepath.Join(kokoro, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		kind       Kind
		path, want string
	}{
		{KindASR, "../pipeline/asr/testdata/whisper/en", "whisper"},
		{KindASR, "../pipeline/asr/testdata/asr/sensevoice", "sensevoice"},
		{KindTTS, kokoro, "kokoro"},
		{KindTTS, "../pipeline/tts/testdata/piper", "piper"},
	} {
		if got := givenEngine(c.kind, c.path); got != c.want {
			t.Errorf("%s %s: %s, want %s", c.kind, c.path, got, c.want)
		}
	}
}
