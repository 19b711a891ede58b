package assistant

import (
	"os"
	"path/filepath"
	"testing"

	"parley/app"
	"parley/config"
	"parley/internal/testenv"
)

// TestPins: a flag pins, a key written in the user's file pins (even "",
// the default device), a default does not.
func TestPins(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "parley.toml")
	if err := os.WriteFile(file, []byte("[audio]\noutput_device = \"\"\n[llm]\nmodel = \"qwen2.5\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	loaded, err := config.Load(testenv.Defaults(t), config.Locations{Explicit: file})
	if err != nil {
		t.Fatal(err)
	}
	got := pins(options{inputDevice: "virtmic"}, loaded)
	want := app.Pins{InputDevice: "--input-device", OutputDevice: "audio.output_device in " + file, Model: "llm.model in " + file}
	if got != want {
		t.Errorf("pins %+v\nwant %+v", got, want)
	}
	defaults, err := config.Load(testenv.Defaults(t), config.Locations{})
	if err != nil {
		t.Fatal(err)
	}
	if got := pins(options{}, defaults); got != (app.Pins{}) {
		t.Errorf("defaults pin %+v", got)
	}
}

// TestTypedLinesFromPipesAndFiles: a pipe or a file on standard input is
// typed turns; a device such as /dev/null (a service) is not.
func TestTypedLinesFromPipesAndFiles(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "questions.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	for name, c := range map[string]struct {
		f    *os.File
		o    options
		want bool // typed lines
		mic  bool
	}{
		"pipe":                  {r, options{}, true, false},
		"pipe and a microphone": {r, options{inputDevice: "virtmic"}, true, true},
		"pipe and a file":       {r, options{input: "talk.wav"}, true, true},
		"file":                  {file, options{}, true, false},
		"/dev/null: a service":  {null, options{}, false, true},
	} {
		lines, noMic := headlessInput(c.o, c.f)
		if (lines != nil) != c.want || noMic == c.mic {
			t.Errorf("%s: typed lines %v, no microphone %v; want lines %v, microphone (or file) %v", name, lines != nil, noMic, c.want, c.mic)
		}
	}
}
