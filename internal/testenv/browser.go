package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// chromiumFlags are the flags PLATFORM_NOTES.md verified for a headless
// Chromium on these machines (no GPU, no sound card, no network), plus a
// microphone and speaker that need no permission prompt and no gesture.
var chromiumFlags = []string{
	"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
	"--autoplay-policy=no-user-gesture-required",
	"--remote-debugging-port=0",
}

// Chromium is a headless Chromium started for one test, driven through the
// DevTools protocol. It is killed (with its helper processes) when the test
// ends.
type Chromium struct {
	dir  string // its profile; DevToolsActivePort appears here
	log  string // its stdout and stderr
	port string // the DevTools HTTP port
}

// ChromiumOptions tune StartChromium.
type ChromiumOptions struct {
	// FakeCapture is a WAV file the fake microphone plays, looped; "" gives
	// Chromium's own beep.
	FakeCapture string
}

// StartChromium starts a headless Chromium on url with a private profile
// and waits until its DevTools endpoint answers. Without Chromium the test
// is skipped (failed when PARLEY_REQUIRE_AUDIO=1).
func StartChromium(t testing.TB, url string, opts ChromiumOptions) *Chromium {
	t.Helper()
	bin := findChromium(t)
	c := &Chromium{dir: t.TempDir()}
	c.log = filepath.Join(c.dir, "chromium.log")
	logFile, err := os.Create(c.log)
	if err != nil {
		t.Fatal(err)
	}
	args := append(append([]string{}, chromiumFlags...), "--user-data-dir="+filepath.Join(c.dir, "profile"))
	if opts.FakeCapture != "" {
		args = append(args, "--use-file-for-fake-audio-capture="+opts.FakeCapture)
	}
	cmd := exec.Command(bin, append(args, url)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its helpers die with it
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		_ = logFile.Close()
		if t.Failed() {
			t.Logf("chromium output (tail):\n%s", c.LogTail(3000))
		}
	})
	c.port = c.waitDevTools(t)
	return c
}

func findChromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	missing(t, "program chromium (Debian package chromium: run make setup-dev)")
	return ""
}

// waitDevTools returns the DevTools port once Chromium has written it.
func (c *Chromium) waitDevTools(t testing.TB) string {
	t.Helper()
	file := filepath.Join(c.dir, "profile", "DevToolsActivePort")
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(file); err == nil {
			if port, _, ok := strings.Cut(string(b), "\n"); ok && port != "" {
				return port
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("chromium did not open its DevTools port within a minute; output:\n%s", c.LogTail(3000))
	return ""
}

// LogTail returns the last n bytes of Chromium's output.
func (c *Chromium) LogTail(n int) string {
	b, _ := os.ReadFile(c.log)
	return string(b[max(0, len(b)-n):])
}

// target is a DevTools target as /json lists it.
type target struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	URL   string `json:"url"`
	WSURL string `json:"webSocketDebuggerUrl"`
}

// Tab returns the first open page whose URL starts with prefix.
func (c *Chromium) Tab(ctx context.Context, prefix string) (*Tab, error) {
	var list []target
	if err := c.devtools(ctx, http.MethodGet, "/json/list", &list); err != nil {
		return nil, err
	}
	for _, tg := range list {
		if tg.Type == "page" && strings.HasPrefix(tg.URL, prefix) {
			return c.attach(ctx, tg)
		}
	}
	return nil, fmt.Errorf("chromium: no open page at %s", prefix)
}

// Open opens url in a new tab.
func (c *Chromium) Open(ctx context.Context, rawURL string) (*Tab, error) {
	var tg target
	if err := c.devtools(ctx, http.MethodPut, "/json/new?"+url.QueryEscape(rawURL), &tg); err != nil {
		return nil, err
	}
	return c.attach(ctx, tg)
}

func (c *Chromium) devtools(ctx context.Context, method, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, method, "http://127.0.0.1:"+c.port+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("chromium devtools %s: %w", path, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("chromium devtools %s: %w", path, err)
	}
	return nil
}

func (c *Chromium) attach(ctx context.Context, tg target) (*Tab, error) {
	ws, _, err := websocket.Dial(ctx, tg.WSURL, nil)
	if err != nil {
		return nil, fmt.Errorf("chromium devtools for %s: %w", tg.URL, err)
	}
	ws.SetReadLimit(16 << 20)
	return &Tab{ws: ws}, nil
}

// Tab is one page of a Chromium, driven through the DevTools protocol.
type Tab struct {
	mu     sync.Mutex
	ws     *websocket.Conn
	lastID int
}

// call sends one DevTools command and returns its result, skipping events.
func (t *Tab) call(ctx context.Context, method string, params any) (json.RawMessage, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lastID++
	req, _ := json.Marshal(map[string]any{"id": t.lastID, "method": method, "params": params})
	if err := t.ws.Write(ctx, websocket.MessageText, req); err != nil {
		return nil, fmt.Errorf("devtools %s: %w", method, err)
	}
	for {
		_, data, err := t.ws.Read(ctx)
		if err != nil {
			return nil, fmt.Errorf("devtools %s: %w", method, err)
		}
		var resp struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct{ Message string }
		}
		if json.Unmarshal(data, &resp) != nil || resp.ID != t.lastID {
			continue // an event
		}
		if resp.Error != nil {
			return nil, fmt.Errorf("devtools %s: %s", method, resp.Error.Message)
		}
		return resp.Result, nil
	}
}

// Eval evaluates a JavaScript expression in the page (awaiting a promise)
// and decodes its value into v.
func (t *Tab) Eval(ctx context.Context, expr string, v any) error {
	res, err := t.call(ctx, "Runtime.evaluate", map[string]any{"expression": expr, "awaitPromise": true, "returnByValue": true})
	if err != nil {
		return err
	}
	var out struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &out); err != nil {
		return err
	}
	if out.Exception != nil {
		return fmt.Errorf("javascript: %s %s", out.Exception.Text, out.Exception.Exception.Description)
	}
	if v == nil || len(bytes.TrimSpace(out.Result.Value)) == 0 {
		return nil
	}
	return json.Unmarshal(out.Result.Value, v)
}

// Reload reloads the page, as the user's F5 would.
func (t *Tab) Reload(ctx context.Context) error {
	_, err := t.call(ctx, "Page.reload", map[string]any{"ignoreCache": true})
	return err
}

// Close detaches from the page (the page stays open).
func (t *Tab) Close() error {
	return t.ws.CloseNow()
}
