package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"parley/internal/testenv"
	"parley/pipeline"
)

// faultLimit bounds every fault server's handler: none streams longer.
const faultLimit = 3 * time.Minute

// faultServer is an OpenAI-protocol chat server that misbehaves: answer
// serves the n-th (0-based) request. It records each request's messages.
type faultServer struct {
	srv    *httptest.Server
	answer func(w http.ResponseWriter, r *http.Request, n int)
	mu     sync.Mutex
	asked  [][]chatMessage
}

// chatMessage is one message of a request.
type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

func newFaultServer(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, n int)) *faultServer {
	t.Helper()
	f := &faultServer{answer: answer}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/models", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"object":"list","data":[{"id":"test-model","object":"model"}]}`)
	})
	mux.HandleFunc("/v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []chatMessage `json:"messages"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		f.mu.Lock()
		n := len(f.asked)
		f.asked = append(f.asked, req.Messages)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		f.answer(w, r, n)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.CloseClientConnections)
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the base URL for llm.base_url.
func (f *faultServer) URL() string { return f.srv.URL + "/v1" }

// request returns the messages of the n-th request.
func (f *faultServer) request(n int) []chatMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n >= len(f.asked) {
		return nil
	}
	return f.asked[n]
}

// sendDelta writes one chunk carrying text and flushes it.
func sendDelta(w http.ResponseWriter, text string) error {
	chunk, _ := json.Marshal(map[string]any{
		"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "test-model",
		"choices": []map[string]any{{"index": 0, "delta": map[string]any{"content": text}}},
	})
	if _, err := fmt.Fprintf(w, "data: %s\n\n", chunk); err != nil {
		return err
	}
	w.(http.Flusher).Flush()
	return nil
}

// complete streams text as a whole reply, ended by [DONE].
func complete(w http.ResponseWriter, text string) {
	_ = sendDelta(w, text)
	fmt.Fprint(w, "data: [DONE]\n\n")
}

// endless streams a sentence every 2 ms until the client goes away (or
// faultLimit passes).
func endless(w http.ResponseWriter, r *http.Request, _ int) {
	stop := time.After(faultLimit)
	for {
		if sendDelta(w, "This sentence goes on and on. ") != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-stop:
			return
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// faultConfig points parley at the fault server with llm.engine.
func faultConfig(t *testing.T, url, engine string) string {
	t.Helper()
	return writeConfig(t, fmt.Sprintf("[llm]\nengine = %q\nbase_url = %q\nmodel = \"test-model\"\n", engine, url))
}

// rssMB reads a process's resident memory from /proc.
func rssMB(t *testing.T, pid int) float64 {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		t.Fatalf("read RSS: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			if err != nil {
				t.Fatalf("VmRSS %q: %v", v, err)
			}
			return kb / 1024
		}
	}
	t.Fatal("no VmRSS in /proc status")
	return 0
}

// TestEndlessReplyKeepsMemoryBounded answers a question with a server that
// streams forever: parley's resident memory may grow by at most 30 MB over
// the 60 s after it starts speaking.
func TestEndlessReplyKeepsMemoryBounded(t *testing.T) {
	testenv.Pulse(t)
	srv := newFaultServer(t, endless)
	wav := flite(t, "kal16", t.TempDir(), "q", "what can you do")
	p := start(t, "--headless", "--json", "--config", faultConfig(t, srv.URL(), "openai"), "--input", wav, "--fast", "--output-device", "spk")
	evs := jsonEvents(p)
	waitEvent(t, evs, 60*time.Second, func(e pipeline.Event) bool { return e.State == pipeline.StateSpeaking })
	base := rssMB(t, p.cmd.Process.Pid)
	peak, last := base, base
	for range 60 {
		time.Sleep(time.Second)
		last = rssMB(t, p.cmd.Process.Pid)
		peak = max(peak, last)
	}
	t.Logf("RSS over 60 s of an endless reply: %.0f MB at the first audio, peak %.0f MB, last %.0f MB (+%.0f MB)", base, peak, last, peak-base)
	p.interrupt(t)
	if peak-base > 30 {
		t.Errorf("RSS grew %.0f MB (%.0f -> %.0f MB) in 60 s, want at most 30 MB", peak-base, base, peak)
	}
}

// twoQuestions writes a WAV file of two questions with a pause between.
func twoQuestions(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	q1, q2 := flite(t, "kal16", dir, "q1", "what time is it"), flite(t, "kal16", dir, "q2", "thank you very much")
	paused, both := filepath.Join(dir, "paused.wav"), filepath.Join(dir, "both.wav")
	for _, args := range [][]string{{q1, paused, "pad", "0", "1.5"}, {paused, q2, both}} {
		if out, err := exec.Command("sox", args...).CombinedOutput(); err != nil {
			t.Fatalf("sox %v: %v\n%s", args, err, out)
		}
	}
	return both
}

// TestReplyCutByTheServer: a server that closes the stream after a sentence
// with no [DONE] and no finish reason. parley reports the cut, logs it,
// and keeps what was said in the history sent with the next question.
func TestReplyCutByTheServer(t *testing.T) {
	testenv.Pulse(t)
	testenv.Command(t, "sox")
	srv := newFaultServer(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n > 0 {
			complete(w, "Fine.")
			return
		}
		_ = sendDelta(w, "The secret word is marmalade.")
	})
	p := start(t, "--headless", "--config", faultConfig(t, srv.URL(), "openai"), "--input", twoQuestions(t), "--fast", "--output-device", "spk")
	if err := p.wait(t, 120*time.Second); err != nil {
		t.Fatalf("parley: %v\n%s", err, p.stderr.String())
	}
	out := strings.Join(p.output(), "\n")
	if errs := p.linesWith("error: "); len(errs) != 1 || !strings.Contains(errs[0], "the server ended the reply early") {
		t.Errorf("errors %q, want the cut reported; output:\n%s", errs, out)
	}
	if answers := p.linesWith("answer: "); len(answers) != 1 || answers[0] != "Fine." {
		t.Errorf("answers %q: the cut reply must not be shown as complete; output:\n%s", answers, out)
	}
	logged := false
	for _, ev := range readLogs(t, p.home) {
		logged = logged || (ev.Kind == pipeline.KindError && strings.Contains(ev.Text, "ended the reply early"))
	}
	if !logged {
		t.Error("the conversation log does not mark the cut reply")
	}
	next := srv.request(1)
	if len(next) < 3 || next[len(next)-2].Role != "assistant" || next[len(next)-2].Content != "The secret word is marmalade." {
		t.Errorf("history sent with the next question: %+v, want what was said", next)
	}
}

// TestServerLostMidReplyIsBlamedOnTheServer: the connection is reset after
// the first sentence; the fallback then answers offline, but the error is
// the server's, not the offline responder's.
func TestServerLostMidReplyIsBlamedOnTheServer(t *testing.T) {
	testenv.Pulse(t)
	srv := newFaultServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		_ = sendDelta(w, "Let me think about that. ")
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		if tcp, ok := conn.(*net.TCPConn); ok {
			_ = tcp.SetLinger(0) // close with a reset
		}
		_ = conn.Close()
	})
	wav := flite(t, "kal16", t.TempDir(), "q", "what time is it")
	p := start(t, "--headless", "--config", faultConfig(t, srv.URL(), "auto"), "--input", wav, "--fast", "--output-device", "spk")
	if err := p.wait(t, 120*time.Second); err != nil {
		t.Fatalf("parley: %v\n%s", err, p.stderr.String())
	}
	errs := p.linesWith("error: ")
	if len(errs) != 1 || !strings.HasPrefix(errs[0], "llm server "+srv.URL()) {
		t.Errorf("errors %q, want the server named as the one that failed; output:\n%s", errs, strings.Join(p.output(), "\n"))
	}
}

// TestSIGINTCutsTheReplyAndFlushesEveryEvent stops parley while it speaks
// a long answer: the reply is reported cut (interrupted=true), and every
// event of the conversation log reaches stdout before parley exits.
func TestSIGINTCutsTheReplyAndFlushesEveryEvent(t *testing.T) {
	testenv.Pulse(t)
	p, _ := cutReply(t, syscall.SIGINT)
	checkCutAndFlushed(t, p)
}

// TestHeadlessMarkdownStaysOneLinePerEvent: a markdown answer over several
// lines is printed as one answer line, its line breaks escaped.
func TestHeadlessMarkdownStaysOneLinePerEvent(t *testing.T) {
	testenv.Pulse(t)
	srv := newFaultServer(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		complete(w, "Two steps:\n\n1. **Open** the file.\n2. Save it.")
	})
	wav := flite(t, "kal16", t.TempDir(), "q", "what can you do")
	p := start(t, "--headless", "--config", faultConfig(t, srv.URL(), "openai"), "--input", wav, "--fast", "--output-device", "spk")
	if err := p.wait(t, 120*time.Second); err != nil {
		t.Fatalf("parley: %v\n%s", err, p.stderr.String())
	}
	kinds := []string{"info: ", "partial: ", "heard: ", "answer: ", "said: ", "interrupted: ", "error: ", "metrics: "}
	for _, line := range p.output() {
		if !slices.ContainsFunc(kinds, func(k string) bool { return strings.HasPrefix(line, k) }) {
			t.Errorf("line %q is no event's line", line)
		}
	}
	if got := p.linesWith("answer: "); len(got) != 1 || got[0] != `Two steps:\n\n1. **Open** the file.\n2. Save it.` {
		t.Errorf("answer lines %q, want one with the line breaks escaped", got)
	}
}
