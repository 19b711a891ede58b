package pipeline

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"parley/internal/xdg"
)

// Log is the JSONL conversation log: one line per event, written (and handed
// to the kernel) before the event reaches the UI, so a crash loses nothing
// already heard.
type Log struct {
	mu   sync.Mutex
	file *os.File
	enc  *json.Encoder
}

// DefaultLogDir returns $XDG_STATE_HOME/parley (default ~/.local/state/parley).
func DefaultLogDir() string {
	return xdg.Dir("XDG_STATE_HOME", filepath.Join(".local", "state"))
}

// OpenLog creates a new log file in dir named after the start time.
func OpenLog(dir string, now time.Time) (*Log, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("conversation log folder %s: %w", dir, err)
	}
	name := filepath.Join(dir, "conversation-"+now.Format("20060102-150405.000")+".jsonl")
	f, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("conversation log %s: %w", name, err)
	}
	return &Log{file: f, enc: json.NewEncoder(f)}, nil
}

// Path returns the log file's path.
func (l *Log) Path() string {
	return l.file.Name()
}

// Write appends one event as a JSON line. The encoder writes straight to the
// file, so the line is in the kernel's hands when Write returns.
func (l *Log) Write(ev Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.enc.Encode(ev); err != nil {
		return fmt.Errorf("conversation log %s: %w", l.file.Name(), err)
	}
	return nil
}

// Close syncs and closes the file.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.file.Sync(); err != nil {
		_ = l.file.Close()
		return fmt.Errorf("conversation log %s: %w", l.file.Name(), err)
	}
	return l.file.Close()
}
