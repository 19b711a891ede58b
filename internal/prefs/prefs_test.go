package prefs

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestStoreRemembers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "parley")
	s := NewStore(dir)
	p, err := s.Load()
	if err != nil || p != (Prefs{}) {
		t.Fatalf("missing file: %+v, %v", p, err)
	}
	if err := s.Update(func(p *Prefs) { p.CaptureDevice = "virtmic" }); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(func(p *Prefs) { p.LLMModel = "qwen2.5:7b" }); err != nil {
		t.Fatal(err)
	}
	p, err = NewStore(dir).Load() // the next start
	want := Prefs{CaptureDevice: "virtmic", LLMModel: "qwen2.5:7b"}
	if err != nil || p != want {
		t.Fatalf("got %+v, %v; want %+v", p, err, want)
	}
}

func TestConcurrentUpdatesKeepBoth(t *testing.T) {
	s := NewStore(t.TempDir())
	var wg sync.WaitGroup
	for _, f := range []func(*Prefs){
		func(p *Prefs) { p.CaptureDevice = "mic" },
		func(p *Prefs) { p.PlaybackDevice = "speaker" },
		func(p *Prefs) { p.LLMModel = "llama3.2" },
	} {
		wg.Go(func() {
			if err := s.Update(f); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if p, _ := s.Load(); p != (Prefs{"mic", "speaker", "llama3.2"}) {
		t.Fatalf("lost an update: %+v", p)
	}
}

func TestCorruptFileNamesIt(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := NewStore(dir).Load()
	if err == nil || !strings.Contains(err.Error(), FileName) {
		t.Fatalf("err = %v, want the file named", err)
	}
}
