// Package e2e runs the real parley binary against real parts: the private
// headless PulseAudio (virtual mic and speaker), pocketsphinx, flite, ONNX
// Runtime and the Silero model.
package e2e

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"parley/internal/testenv"
	"parley/pipeline"
)

// parleyBin is the parley executable built once by TestMain.
var parleyBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "parley-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	parleyBin = filepath.Join(dir, "parley")
	build := exec.Command("go", "build", "-o", parleyBin, "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build parley:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running parley (or, in the harness's own tests, another
// program). A reader goroutine keeps every stdout line; it never blocks on
// the test, so a test that stops reading cannot stall parley, and a wait
// never has to drain anything before its timeout starts.
type proc struct {
	cmd    *exec.Cmd
	home   string
	stderr testenv.Buffer
	done   chan struct{} // closed once the process has exited and been waited for
	err    error         // the exit status; read only after done is closed

	mu    sync.Mutex
	lines []string
	taken []bool        // lines already returned by a wait
	grew  chan struct{} // closed (and replaced) when a line arrives or stdout ends
	ended bool          // stdout is closed
}

// isolatedEnv gives parley private config, state and working folders.
func isolatedEnv(t testing.TB) (env []string, home string) {
	t.Helper()
	home = t.TempDir()
	env = append(os.Environ(),
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"XDG_STATE_HOME="+filepath.Join(home, "state"),
	)
	return env, home
}

// withoutEnv returns env less the variables named: SSH_CONNECTION where
// parley must not think itself remote, CI where a terminal must look like
// a user's (termenv takes any CI for a pipe and drops every colour).
func withoutEnv(env []string, names ...string) []string {
	out := env[:0:0]
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(names, name) {
			out = append(out, kv)
		}
	}
	return out
}

// start runs parley with args and collects its stdout lines.
func start(t testing.TB, args ...string) *proc {
	t.Helper()
	env, home := isolatedEnv(t)
	return startEnv(t, env, home, args...)
}

func startEnv(t testing.TB, env []string, home string, args ...string) *proc {
	t.Helper()
	return startProgram(t, env, home, parleyBin, args...)
}

// startTyped runs parley with stdin as its standard input (a pipe).
func startTyped(t testing.TB, env []string, home string, stdin io.Reader, args ...string) *proc {
	t.Helper()
	return startProgramIn(t, env, home, stdin, parleyBin, args...)
}

// startProgram runs any program the way start runs parley. The program
// gets its own process group, killed whole when the test ends, so no child
// it started can keep its output open.
func startProgram(t testing.TB, env []string, home, path string, args ...string) *proc {
	t.Helper()
	return startProgramIn(t, env, home, nil, path, args...)
}

// startProgramIn is startProgram with stdin as the standard input (nil:
// /dev/null).
func startProgramIn(t testing.TB, env []string, home string, stdin io.Reader, path string, args ...string) *proc {
	t.Helper()
	p := &proc{done: make(chan struct{}), home: home, grew: make(chan struct{})}
	p.cmd = exec.Command(path, args...)
	p.cmd.Env, p.cmd.Dir, p.cmd.Stdin = env, home, stdin
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.cmd.Stderr = &p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go p.read(out)
	t.Cleanup(func() {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	})
	return p
}

// read keeps every line of out, then waits for the process. Lines have no
// length limit: a long answer is one line.
func (p *proc) read(out io.Reader) {
	r := bufio.NewReader(out)
	for {
		line, err := r.ReadString('\n')
		if line != "" {
			p.add(strings.TrimSuffix(line, "\n"), false)
		}
		if err != nil {
			break
		}
	}
	p.add("", true)
	p.err = p.cmd.Wait()
	close(p.done)
}

// add records a line, or the end of stdout, and wakes the waiters.
func (p *proc) add(line string, end bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if end {
		p.ended = true
	} else {
		p.lines = append(p.lines, line)
		p.taken = append(p.taken, false)
	}
	close(p.grew)
	p.grew = make(chan struct{})
}

// next returns the first line not returned before that satisfies match,
// waiting up to timeout for it. Lines that do not match stay available to
// later waits, so two events may be awaited in either order they come.
func (p *proc) next(t testing.TB, timeout time.Duration, what string, match func(string) bool) string {
	t.Helper()
	line, found, ended := p.poll(timeout, match)
	switch {
	case found:
		return line
	case ended:
		t.Fatalf("parley exited while waiting for %s; output:\n%s\nstderr:\n%s", what, strings.Join(p.output(), "\n"), p.stderr.String())
	default:
		t.Fatalf("no %s within %s; output so far:\n%s", what, timeout, strings.Join(p.output(), "\n"))
	}
	return ""
}

// poll is next without failing: found is false after timeout, or once
// stdout has ended (ended).
func (p *proc) poll(timeout time.Duration, match func(string) bool) (line string, found, ended bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		line, found, grew, ended := p.find(match)
		if found || ended {
			return line, found, ended
		}
		select {
		case <-grew:
		case <-deadline.C:
			return "", false, false
		}
	}
}

// find takes the first matching line not taken yet; otherwise it returns
// the channel closed by the next line, and whether stdout has ended.
func (p *proc) find(match func(string) bool) (line string, found bool, grew <-chan struct{}, ended bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, l := range p.lines {
		if !p.taken[i] && match(l) {
			p.taken[i] = true
			return l, true, nil, false
		}
	}
	return "", false, p.grew, p.ended
}

// waitFor returns the first line not returned before that starts with one
// of prefixes.
func (p *proc) waitFor(t testing.TB, timeout time.Duration, prefixes ...string) string {
	t.Helper()
	return p.next(t, timeout, fmt.Sprint(prefixes), func(line string) bool {
		for _, pre := range prefixes {
			if strings.HasPrefix(line, pre) {
				return true
			}
		}
		return false
	})
}

func (p *proc) output() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// linesWith returns the collected lines that start with prefix, without it.
func (p *proc) linesWith(prefix string) []string {
	var out []string
	for _, l := range p.output() {
		if strings.HasPrefix(l, prefix) {
			out = append(out, strings.TrimPrefix(l, prefix))
		}
	}
	return out
}

// eventStream is parley's --json output read as pipeline events.
type eventStream struct {
	p *proc
}

// jsonEvents reads parley's --json output as pipeline events.
func jsonEvents(p *proc) *eventStream {
	return &eventStream{p: p}
}

// waitEvent returns the first event not returned before that satisfies
// match, waiting up to timeout. Events that do not match stay available,
// so events that may come in either order can be awaited one by one.
func waitEvent(t testing.TB, evs *eventStream, timeout time.Duration, match func(pipeline.Event) bool) pipeline.Event {
	t.Helper()
	line := evs.p.next(t, timeout, "the expected event", func(line string) bool {
		ev, ok := parseEvent(line)
		return ok && match(ev)
	})
	ev, _ := parseEvent(line)
	return ev
}

// all returns every event so far.
func (evs *eventStream) all() []pipeline.Event {
	var out []pipeline.Event
	for _, line := range evs.p.output() {
		if ev, ok := parseEvent(line); ok {
			out = append(out, ev)
		}
	}
	return out
}

func parseEvent(line string) (pipeline.Event, bool) {
	var ev pipeline.Event
	return ev, json.Unmarshal([]byte(line), &ev) == nil
}

// interrupt sends SIGINT and waits for a clean exit.
func (p *proc) interrupt(t testing.TB) {
	t.Helper()
	_ = p.cmd.Process.Signal(os.Interrupt)
	p.wait(t, 15*time.Second)
}

// wait returns the exit status once the process has ended; a process still
// running after timeout fails the test (and is killed by its cleanup).
func (p *proc) wait(t testing.TB, timeout time.Duration) error {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	select {
	case <-p.done:
		return p.err
	case <-deadline.C:
		t.Fatalf("parley did not exit within %s; output so far:\n%s", timeout, strings.Join(p.output(), "\n"))
		return nil
	}
}

// flite writes text spoken by a flite voice to a WAV file.
func flite(t *testing.T, voice, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name+".wav")
	if out, err := exec.Command("flite", "-voice", voice, "-t", text, "-o", path).CombinedOutput(); err != nil {
		t.Fatalf("flite %q: %v\n%s", text, err, out)
	}
	return path
}

// speakIntoMic plays a WAV into the virtual microphone and returns when done.
func speakIntoMic(t *testing.T, wav string) {
	t.Helper()
	if err := playIntoMic(wav); err != nil {
		t.Fatal(err)
	}
}

// playIntoMic is speakIntoMic for goroutines: it returns the error.
func playIntoMic(wav string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "paplay", "-d", "mic_feed", wav).CombinedOutput(); err != nil {
		return fmt.Errorf("paplay %s: %w\n%s", wav, err, out)
	}
	return nil
}

// recorder captures the virtual speaker's monitor as 16 kHz s16le.
type recorder struct {
	cmd  *exec.Cmd
	path string
	done chan struct{} // closed once parec has exited
}

func record(t *testing.T) *recorder {
	t.Helper()
	r := &recorder{path: filepath.Join(t.TempDir(), "spk.raw"), done: make(chan struct{})}
	f, err := os.Create(r.path)
	if err != nil {
		t.Fatal(err)
	}
	r.cmd = parec(nil, "spk.monitor", 20)
	r.cmd.Stdout = f
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() { _ = r.cmd.Process.Kill(); <-r.done; _ = f.Close() })
	return r
}

// parec records source of the server env names (nil: this process's) as
// 16 kHz mono s16le, asking for latencyMS of buffering.
func parec(env []string, source string, latencyMS int) *exec.Cmd {
	cmd := exec.Command("parec", fmt.Sprintf("--latency-msec=%d", latencyMS), "-d", source, "--rate=16000", "--channels=1", "--format=s16le")
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	return cmd
}

// startParec starts parec and returns its output.
func startParec(t *testing.T, env []string, source string, latencyMS int) (*exec.Cmd, io.Reader) {
	t.Helper()
	cmd := parec(env, source, latencyMS)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, out
}

// stop ends the recording (parec gets 10 s to stop on SIGINT, then is
// killed) and returns its samples.
func (r *recorder) stop(t *testing.T) []float64 {
	t.Helper()
	_ = r.cmd.Process.Signal(os.Interrupt)
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
	}
	data, err := os.ReadFile(r.path)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, len(data)/2)
	for i := range out {
		out[i] = float64(int16(binary.LittleEndian.Uint16(data[2*i:]))) / 32768
	}
	return out
}

// voicedSeconds counts 32 ms frames louder than -40 dBFS.
func voicedSeconds(samples []float64) float64 {
	const frame = 512
	voiced := 0
	for i := 0; i+frame <= len(samples); i += frame {
		var sum float64
		for _, v := range samples[i : i+frame] {
			sum += v * v
		}
		if 20*math.Log10(math.Sqrt(sum/frame)+1e-12) > -40 {
			voiced++
		}
	}
	return float64(voiced*frame) / 16000
}
