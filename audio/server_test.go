package audio

import (
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"
)

// staleSocket leaves a unix socket file that nothing listens on, as an SSH
// forward of an earlier session does.
func staleSocket(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pulse.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestStaleForwardedSocketSaysSoAndTheFix: PULSE_SERVER names a socket file
// that nothing serves (sshd kept an earlier session's forward and refused
// the new one): the error calls it stale and gives the sshd fix, and no
// other backend is tried.
func TestStaleForwardedSocketSaysSoAndTheFix(t *testing.T) {
	path := staleSocket(t)
	t.Setenv("PULSE_SERVER", "unix:"+path)
	mic, err := OpenMic(longCtx(t), MicOptions{})
	if err == nil {
		_ = mic.Close()
		t.Fatal("a microphone opened on a stale socket")
	}
	for _, want := range []string{"stale socket file", "rm " + path, "StreamLocalBindUnlink yes", "ExitOnForwardFailure=yes", "no other backend was tried"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if !errors.Is(err, ErrOpenDevice) {
		t.Errorf("error %v does not wrap ErrOpenDevice", err)
	}
}
