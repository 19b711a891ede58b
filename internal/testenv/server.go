package testenv

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// PulseServer is a private headless PulseAudio that one test owns: unlike
// Pulse's shared server it may be killed, stalled and started again at the
// same address. It has the same virtual devices (virtmic fed through
// mic_feed, spk) and is killed when the test ends.
type PulseServer struct {
	t   testing.TB
	dir string
	// Address is the server's PULSE_SERVER value ("unix:<dir>/native").
	Address string
}

// StartPulse starts a PulseServer in a folder of its own.
func StartPulse(t testing.TB) *PulseServer {
	t.Helper()
	Command(t, "pulseaudio")
	Command(t, "pactl")
	dir, err := os.MkdirTemp("", "parley-pulse-own-")
	if err != nil {
		t.Fatalf("pulse folder: %v", err)
	}
	s := &PulseServer{t: t, dir: dir, Address: "unix:" + filepath.Join(dir, "native")}
	t.Cleanup(func() {
		s.Kill()
		_ = os.RemoveAll(dir)
	})
	s.Restart()
	return s
}

// Env returns the variables that point a child process at the server.
func (s *PulseServer) Env() []string {
	return []string{"PULSE_SERVER=" + s.Address, "PULSE_RUNTIME_PATH=" + filepath.Join(s.dir, "run"),
		"PULSE_STATE_PATH=" + filepath.Join(s.dir, "state")}
}

// Restart starts the server (again, after Kill) at the same address and
// waits until it answers.
func (s *PulseServer) Restart() {
	s.t.Helper()
	if s.PID() == 0 { // a killed server's pid may name a zombie that PulseAudio takes for alive
		_ = os.Remove(filepath.Join(s.dir, "run", "pid"))
	}
	cmd := exec.Command("bash", pulseScript(), "start")
	cmd.Env = append(os.Environ(), "PARLEY_PULSE_DIR="+s.dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		s.t.Fatalf("start private PulseAudio: %v: %s", err, stderr.String())
	}
}

// PID returns the server's process id, 0 when it is not running.
func (s *PulseServer) PID() int {
	b, err := os.ReadFile(filepath.Join(s.dir, "run", "pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if pid <= 0 || !alive(pid) {
		return 0
	}
	return pid
}

// Kill kills the server with SIGKILL (no goodbye to its clients) and waits
// until the process is gone. Killing a server that is not running does
// nothing.
func (s *PulseServer) Kill() {
	pid := s.PID()
	if pid == 0 {
		return
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	for deadline := time.Now().Add(5 * time.Second); alive(pid) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
}

// Stop stalls the server with SIGSTOP: its socket still accepts, but it
// answers nothing until Continue.
func (s *PulseServer) Stop() { s.signal(syscall.SIGSTOP) }

// Continue resumes a stopped server; a server not running is left alone.
func (s *PulseServer) Continue() {
	if s.PID() != 0 {
		s.signal(syscall.SIGCONT)
	}
}

func (s *PulseServer) signal(sig syscall.Signal) {
	s.t.Helper()
	pid := s.PID()
	if pid == 0 {
		s.t.Fatalf("signal %v: the private PulseAudio is not running", sig)
	}
	if err := syscall.Kill(pid, sig); err != nil {
		s.t.Fatalf("signal %v to PulseAudio %d: %v", sig, pid, err)
	}
}

// alive reports whether pid runs (a zombie, which a container's init may
// never reap, counts as gone).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, ok := strings.Cut(string(b), ") ")
	return ok && !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
}
