package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"parley/internal/testenv"
	"parley/models"
)

// sshRecipe is README.md's recipe for PulseAudio over SSH, word for word:
// the SSH tests check that the README holds it and run it as it stands,
// with `host` the private sshd and `--headless --json` added to parley.
const sshRecipe = `ssh -t -o ExitOnForwardFailure=yes -R /tmp/pulse-$USER.sock:$XDG_RUNTIME_DIR/pulse/native host "PULSE_SERVER=unix:/tmp/pulse-$USER.sock parley"`

// sshHost is the private sshd's name in the client config.
const sshHost = "parley-gpu-box"

// sshServer is a private OpenSSH server on 127.0.0.1: its own host key,
// config and authorized key, run as this user (root works), killed when
// the test ends. Its sessions get the environment of env (SetEnv).
type sshServer struct {
	addr string // 127.0.0.1:port
	dir  string
	user string
	key  string // the client's private key
}

// findSSHD returns the sshd program; without one the test skips, or fails
// under PARLEY_REQUIRE_AUDIO=1.
func findSSHD(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"sshd", "/usr/sbin/sshd"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "missing sshd (Debian's openssh-server: run make setup-dev)"
	if testenv.Required() {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// startSSHD starts a private sshd. unlink sets StreamLocalBindUnlink (no is
// Debian's default). env are NAME=value pairs its sessions get.
func startSSHD(t *testing.T, unlink bool, env []string) *sshServer {
	t.Helper()
	sshd := findSSHD(t)
	keygen := testenv.Command(t, "ssh-keygen")
	testenv.Command(t, "ssh")
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	s := &sshServer{dir: t.TempDir(), user: u.Username}
	s.key = filepath.Join(s.dir, "id_ed25519")
	hostKey := filepath.Join(s.dir, "host_ed25519")
	for _, k := range []string{hostKey, s.key} {
		if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-C", "parley-e2e", "-f", k).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v: %s", err, out)
		}
	}
	pub, err := os.ReadFile(s.key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(s.dir, "authorized_keys"), string(pub))
	privsepDir(t)
	var last string
	for range 3 { // a free port can be taken before sshd binds it
		addr := freeAddr(t)
		cfg := s.config(t, addr, hostKey, unlink, env)
		p := startProgram(t, os.Environ(), s.dir, sshd, "-D", "-e", "-f", cfg)
		if waitListening(p, addr) {
			s.addr = addr
			return s
		}
		last = p.stderr.String()
	}
	t.Fatalf("private sshd did not start:\n%s", last)
	return nil
}

// config writes the server's sshd_config for addr.
func (s *sshServer) config(t *testing.T, addr, hostKey string, unlink bool, env []string) string {
	t.Helper()
	yes := map[bool]string{true: "yes", false: "no"}
	lines := []string{
		"ListenAddress " + addr,
		"HostKey " + hostKey,
		"PidFile " + filepath.Join(s.dir, "sshd.pid"),
		"AuthorizedKeysFile " + filepath.Join(s.dir, "authorized_keys"),
		"StrictModes no", // the test's folders are not the user's home
		"UsePAM no",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"PermitRootLogin prohibit-password",
		"AllowTcpForwarding yes",
		"StreamLocalBindUnlink " + yes[unlink],
	}
	if len(env) > 0 {
		lines = append(lines, "SetEnv "+strings.Join(env, " "))
	}
	path := filepath.Join(s.dir, "sshd_config")
	writeFile(t, path, strings.Join(lines, "\n")+"\n")
	return path
}

// clientConfig writes an ssh_config that reaches the server as sshHost at
// addr (the server's own address, or a relay in front of it).
func (s *sshServer) clientConfig(t *testing.T, addr string) string {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprintf("Host %s\n  HostName %s\n  Port %s\n  User %s\n  IdentityFile %s\n  IdentitiesOnly yes\n"+
		"  BatchMode yes\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n",
		sshHost, host, port, s.user, s.key)
	path := filepath.Join(t.TempDir(), "ssh_config")
	writeFile(t, path, text)
	return path
}

// privsepDir makes sshd's privilege separation folder, which a root sshd
// needs and a machine without the ssh service may lack.
func privsepDir(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		return
	}
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatalf("sshd's privilege separation folder: %v", err)
	}
}

// waitListening waits up to 10 s for sshd to accept on addr; false when it
// exited (the port was taken) or never listened.
func waitListening(p *proc, addr string) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		select {
		case <-p.done:
			return false
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			_ = c.Close()
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// remoteEnv is what the sshd's sessions get: parley on PATH, the test's
// config and state folders, and this machine's model cache.
func remoteEnv(home string) []string {
	return []string{
		"PATH=" + filepath.Dir(parleyBin) + ":/usr/local/bin:/usr/bin:/bin",
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"XDG_CACHE_HOME=" + filepath.Dir(models.CacheDir()),
	}
}

// sshRun is one run of the recipe: the ssh client, whose output is the
// remote parley's, and the socket the forward made on the server side.
type sshRun struct {
	*proc
	socket string
}

// recipeUsers numbers the USER names of recipe runs: the recipe's
// per-user socket path then differs between runs and test processes.
var recipeUsers atomic.Int64

// recipeOptions vary a run of the recipe.
type recipeOptions struct {
	// edit changes the command line (nil: as written).
	edit func(string) string
	// stale leaves a socket file that nothing serves where the forward
	// goes, as an earlier session's forward does.
	stale bool
}

// runRecipe runs sshRecipe through addr against s, from a "laptop" whose
// PulseAudio is laptop.
func runRecipe(t *testing.T, s *sshServer, addr string, laptop *testenv.PulseServer, opts recipeOptions) *sshRun {
	t.Helper()
	name := fmt.Sprintf("parley-e2e-%d-%d", os.Getpid(), recipeUsers.Add(1))
	socket := "/tmp/pulse-" + name + ".sock"
	t.Cleanup(func() { _ = os.Remove(socket) })
	if opts.stale {
		leaveStaleSocket(t, socket)
	}
	line := strings.Replace(sshRecipe, "ssh ", "ssh -F "+s.clientConfig(t, addr)+" ", 1)
	line = strings.Replace(line, " host ", " "+sshHost+" ", 1)
	// Without a terminal here, ssh -t allocates no pty and the remote
	// parley's stdin is the session's pipe, which it would read as typed
	// turns; a user's terminal gives it a pty (the microphone is used).
	line = strings.Replace(line, ` parley"`, ` parley --headless --json </dev/null"`, 1)
	if opts.edit != nil {
		line = opts.edit(line)
	}
	env := append(withoutEnv(os.Environ(), "SSH_CONNECTION"), "USER="+name, "XDG_RUNTIME_DIR="+runtimeDirFor(t, laptop))
	r := &sshRun{proc: startProgram(t, env, t.TempDir(), "bash", "-c", line), socket: socket}
	t.Cleanup(func() { r.signalParley(syscall.SIGKILL) })
	return r
}

// leaveStaleSocket makes a socket file at path that nothing listens on.
func leaveStaleSocket(t *testing.T, path string) {
	t.Helper()
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatalf("stale socket: %v", err)
	}
	l.SetUnlinkOnClose(false)
	_ = l.Close()
}

// runtimeDirFor is a runtime folder whose pulse/native is laptop's socket,
// where the recipe's $XDG_RUNTIME_DIR/pulse/native looks.
func runtimeDirFor(t *testing.T, laptop *testenv.PulseServer) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "pulse"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(strings.TrimPrefix(laptop.Address, "unix:"), filepath.Join(dir, "pulse", "native")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// stop ends the remote parley with SIGINT, as a user's ctrl+c would, and
// waits for the session to end.
func (r *sshRun) stop(t *testing.T) {
	t.Helper()
	if !r.signalParley(syscall.SIGINT) {
		t.Errorf("the remote parley was not running at the end; stderr:\n%s", r.stderr.String())
	}
	_ = r.wait(t, 20*time.Second)
}

// signalParley signals the parley that sshd started for this run (this
// test's binary, with PULSE_SERVER at the run's socket); false when none
// runs. sshd's session is not in the test's process group, so the
// harness's cleanup cannot reach it.
func (r *sshRun) signalParley(sig syscall.Signal) bool {
	entries, _ := os.ReadDir("/proc")
	found := false
	for _, e := range entries {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
		environ, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		if exe == parleyBin && slices.Contains(strings.Split(string(environ), "\x00"), "PULSE_SERVER=unix:"+r.socket) {
			found = syscall.Kill(pid, sig) == nil || found
		}
	}
	return found
}
