// Package e2e runs the real parley binary against real parts: the private
// headless PulseAudio (virtual mic and speaker), pocketsphinx, flite, ONNX
// Runtime and the Silero model.
package e2e

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
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

// proc is a running parley with its output lines.
type proc struct {
	cmd    *exec.Cmd
	lines  chan string
	mu     sync.Mutex
	all    []string
	stderr strings.Builder
	done   chan error
	home   string
}

// isolatedEnv gives parley private config, state and working folders.
func isolatedEnv(t *testing.T) (env []string, home string) {
	t.Helper()
	home = t.TempDir()
	env = append(os.Environ(),
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"XDG_STATE_HOME="+filepath.Join(home, "state"),
	)
	return env, home
}

// start runs parley with args and collects its stdout lines.
func start(t *testing.T, args ...string) *proc {
	t.Helper()
	env, home := isolatedEnv(t)
	return startEnv(t, env, home, args...)
}

func startEnv(t *testing.T, env []string, home string, args ...string) *proc {
	t.Helper()
	p := &proc{lines: make(chan string, 1024), done: make(chan error, 1), home: home}
	p.cmd = exec.Command(parleyBin, args...)
	p.cmd.Env, p.cmd.Dir = env, home
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
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

func (p *proc) read(out io.Reader) {
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		p.mu.Lock()
		p.all = append(p.all, sc.Text())
		p.mu.Unlock()
		p.lines <- sc.Text()
	}
	close(p.lines)
	p.done <- p.cmd.Wait()
}

// waitFor returns the first line starting with one of prefixes.
func (p *proc) waitFor(t *testing.T, timeout time.Duration, prefixes ...string) string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("parley exited while waiting for %v; stderr:\n%s", prefixes, p.stderr.String())
			}
			for _, pre := range prefixes {
				if strings.HasPrefix(line, pre) {
					return line
				}
			}
		case <-deadline:
			t.Fatalf("no %v within %s; output so far:\n%s", prefixes, timeout, strings.Join(p.output(), "\n"))
		}
	}
}

func (p *proc) output() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.all...)
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

// interrupt sends SIGINT and waits for a clean exit.
func (p *proc) interrupt(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(os.Interrupt)
	p.wait(t, 15*time.Second)
}

func (p *proc) wait(t *testing.T, timeout time.Duration) error {
	t.Helper()
	for range p.lines {
	}
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(timeout):
		t.Fatalf("parley did not exit within %s", timeout)
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
}

func record(t *testing.T) *recorder {
	t.Helper()
	r := &recorder{path: filepath.Join(t.TempDir(), "spk.raw")}
	f, err := os.Create(r.path)
	if err != nil {
		t.Fatal(err)
	}
	r.cmd = exec.Command("parec", "--latency-msec=20", "-d", "spk.monitor", "--rate=16000", "--channels=1", "--format=s16le")
	r.cmd.Stdout = f
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.cmd.Process.Kill(); _ = r.cmd.Wait(); _ = f.Close() })
	return r
}

// stop ends the recording and returns its samples.
func (r *recorder) stop(t *testing.T) []float64 {
	t.Helper()
	_ = r.cmd.Process.Signal(os.Interrupt)
	_ = r.cmd.Wait()
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
