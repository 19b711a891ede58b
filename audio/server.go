package audio

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Server describes the PulseAudio server that parley's connections go to,
// as the environment names it.
type Server struct {
	// Address is PULSE_SERVER, or the default socket when it is unset.
	Address string
	// Named reports whether PULSE_SERVER is set: then a failing server is
	// an error, never a silent fall back to ALSA.
	Named bool
	// Remote reports whether the server is on another machine (a tcp
	// address, or parley runs inside an SSH session): buffers are sized for
	// the network and shared memory is off.
	Remote bool
	// Why says why the server counts as remote ("" when local).
	Why string
}

// CurrentServer returns the server that PULSE_SERVER, SSH_CONNECTION and
// the runtime folders point at now.
func CurrentServer() Server {
	addr := strings.TrimSpace(os.Getenv("PULSE_SERVER"))
	s := Server{Address: addr, Named: addr != ""}
	if !s.Named {
		s.Address = "unix:" + defaultSocket()
	}
	switch {
	case s.Named && !isUnixAddress(firstServer(addr)):
		s.Remote, s.Why = true, "PULSE_SERVER names a network address"
	case os.Getenv("SSH_CONNECTION") != "":
		s.Remote, s.Why = true, "parley runs in an SSH session (SSH_CONNECTION is set)"
	}
	return s
}

// String names the server for messages: "PulseAudio at unix:/run/…".
func (s Server) String() string { return "PulseAudio at " + s.Address }

// Host returns "remote" or "local", for doctor.
func (s Server) Host() string {
	if s.Remote {
		return "remote"
	}
	return "local"
}

// defaultSocket is where libpulse looks when PULSE_SERVER is unset.
func defaultSocket() string {
	if dir := os.Getenv("PULSE_RUNTIME_PATH"); dir != "" {
		return filepath.Join(dir, "native")
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		return filepath.Join(dir, "pulse", "native")
	}
	return fmt.Sprintf("/run/user/%d/pulse/native", os.Getuid())
}

// firstServer returns the first entry of a PULSE_SERVER list without its
// "{machine-id}" prefix.
func firstServer(list string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(list), " ")
	if strings.HasPrefix(first, "{") {
		if _, rest, ok := strings.Cut(first, "}"); ok {
			return rest
		}
	}
	return first
}

func isUnixAddress(addr string) bool {
	return strings.HasPrefix(addr, "unix:") || strings.HasPrefix(addr, "/")
}

// dialTimeout bounds the reachability check of a server.
const dialTimeout = time.Second

// reach connects to the server's socket and hangs up: nil when something
// accepts there. It tells "refused" from "connected, then failed".
func (s Server) reach() error {
	addr := firstServer(s.Address)
	network, target := "tcp", addr
	switch {
	case strings.HasPrefix(addr, "unix:"):
		network, target = "unix", strings.TrimPrefix(addr, "unix:")
	case strings.HasPrefix(addr, "/"):
		network = "unix"
	default:
		target = tcpTarget(addr)
	}
	c, err := net.DialTimeout(network, target, dialTimeout)
	if err != nil {
		return err
	}
	return c.Close()
}

// tcpTarget turns "tcp:host[:port]" (also tcp4:, tcp6:, a bare host) into
// host:port, PulseAudio's port 4713 by default.
func tcpTarget(addr string) string {
	for _, p := range []string{"tcp:", "tcp4:", "tcp6:"} {
		addr = strings.TrimPrefix(addr, p)
	}
	if _, _, err := net.SplitHostPort(addr); err == nil {
		return addr
	}
	return net.JoinHostPort(strings.Trim(addr, "[]"), "4713")
}

// failure says what happened at the server when a connection failed.
func (s Server) failure(err error) string {
	rerr := s.reach()
	switch {
	case errors.Is(rerr, syscall.ENOENT):
		return fmt.Sprintf("%s: refused: the socket does not exist", s)
	case errors.Is(rerr, syscall.ECONNREFUSED) && s.unixPath() != "":
		return fmt.Sprintf("%s: refused: a stale socket file, nothing listens there", s)
	case errors.Is(rerr, syscall.ECONNREFUSED):
		return fmt.Sprintf("%s: refused: nothing listens there", s)
	case rerr != nil:
		return fmt.Sprintf("%s: refused (%v)", s, rerr)
	}
	return fmt.Sprintf("%s: connected, then failed (%v)", s, err)
}

// fix says how to get a working server after failure.
func (s Server) fix() string {
	if !s.Named {
		return "start PulseAudio (`pulseaudio --start`), or set PULSE_SERVER to a running server"
	}
	if s.stale() {
		return staleFix(s.unixPath())
	}
	fix := "start the server at " + s.Address + ", or correct or unset PULSE_SERVER (no other backend was tried because PULSE_SERVER is set)"
	if s.Remote || strings.HasPrefix(s.Address, "unix:") {
		fix += "; over SSH, check that the forward is up (ssh -o ExitOnForwardFailure=yes) and that PULSE_CLIENTCONFIG, if you set one, has enable-shm = no"
	}
	return fix
}

// unixPath returns the socket path of a unix server address, "" for a
// network one.
func (s Server) unixPath() string {
	addr := firstServer(s.Address)
	if !isUnixAddress(addr) {
		return ""
	}
	return strings.TrimPrefix(addr, "unix:")
}

// stale reports whether PULSE_SERVER names a socket file that exists but
// refuses connections: nothing serves it any more. Over SSH that is the
// forward of an earlier session; sshd refuses to bind a new forward over
// it unless StreamLocalBindUnlink is yes, so the new session has none.
func (s Server) stale() bool {
	return s.Named && s.unixPath() != "" && errors.Is(s.reach(), syscall.ECONNREFUSED)
}

// staleFix says how to replace a stale forwarded socket.
func staleFix(path string) string {
	return fmt.Sprintf("nothing serves %s any more (left by an earlier SSH session? sshd then refuses the new forward, "+
		"and ssh only warns \"remote port forwarding failed\"): remove it (rm %s), set `StreamLocalBindUnlink yes` "+
		"in the server's sshd_config, and connect again with ssh -o ExitOnForwardFailure=yes "+
		"(no other backend was tried because PULSE_SERVER is set)", path, path)
}

// alsaFailure names what ALSA lacked.
func alsaFailure(err error) string {
	cards, rerr := os.ReadFile("/proc/asound/cards")
	if rerr != nil || strings.Contains(string(cards), "no soundcards") || strings.TrimSpace(string(cards)) == "" {
		return "ALSA: no sound card"
	}
	return fmt.Sprintf("ALSA: %v", err)
}
