package cli

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// RedirectStderr points file descriptor 2 at path (appending), so that C
// libraries (ALSA, ONNX Runtime, pocketsphinx, espeak, Dawn) cannot write
// into the terminal. The returned restore puts the original back.
func RedirectStderr(path string) (restore func(), err error) {
	target, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("stderr log %s: %w", path, err)
	}
	saved, err := unix.Dup(2)
	if err != nil {
		_ = target.Close()
		return nil, fmt.Errorf("save stderr: %w", err)
	}
	if err := unix.Dup2(int(target.Fd()), 2); err != nil {
		_ = target.Close()
		_ = unix.Close(saved)
		return nil, fmt.Errorf("redirect stderr to %s: %w", path, err)
	}
	restore = func() {
		_ = unix.Dup2(saved, 2)
		_ = unix.Close(saved)
		_ = target.Close()
	}
	return restore, nil
}
