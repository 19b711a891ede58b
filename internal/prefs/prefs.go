// Package prefs remembers the choices a user makes in the TUI (the
// capture and playback device, the LLM model) for the next start, in a
// small JSON file in the state folder ($XDG_STATE_HOME/parley/ui-state.json).
// The app reads it at start and lets the user's config file or flags win
// where they pin a value; it has no other dependency.
package prefs

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// FileName is the state file's name in the state folder.
const FileName = "ui-state.json"

// Prefs are the remembered choices; "" means none was made.
type Prefs struct {
	// CaptureDevice is the id of the microphone picked last.
	CaptureDevice string `json:"capture_device,omitempty"`
	// PlaybackDevice is the id of the speaker picked last.
	PlaybackDevice string `json:"playback_device,omitempty"`
	// LLMModel is the LLM server's model picked last.
	LLMModel string `json:"llm_model,omitempty"`
}

// Store reads and changes the state file of one folder. Its methods may
// be called from several goroutines (the UI's commands).
type Store struct {
	mu   sync.Mutex
	path string
}

// NewStore returns the store of the state folder dir.
func NewStore(dir string) *Store {
	return &Store{path: filepath.Join(dir, FileName)}
}

// Path is the state file.
func (s *Store) Path() string {
	return s.path
}

// Load reads the remembered choices; a missing file holds none.
func (s *Store) Load() (Prefs, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.load()
}

// Update applies change to the remembered choices and writes them back
// atomically (a new file renamed over the old one).
func (s *Store) Update(change func(*Prefs)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.load()
	if err != nil {
		return err
	}
	change(&p)
	return s.save(p)
}

func (s *Store) load() (Prefs, error) {
	var p Prefs
	data, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("ui state: %w", err)
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return Prefs{}, fmt.Errorf("ui state %s: %w (delete the file to forget the choices)", s.path, err)
	}
	return p, nil
}

func (s *Store) save(p Prefs) error {
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("ui state: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o755); err != nil {
		return fmt.Errorf("ui state folder: %w", err)
	}
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("ui state: %w", err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return fmt.Errorf("ui state: %w", err)
	}
	return nil
}
