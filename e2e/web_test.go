package e2e

import (
	"context"
	"math"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"parley/audio"
	"parley/internal/testenv"
	"parley/pipeline"
)

// browserWait bounds each step of the browser conversation: the machine is
// shared and Chromium, parley and the models start on the same two cores.
const browserWait = 90 * time.Second

// pageProbe installs, in parley's page, a recorder of what the page hears
// and plays, with times on the system clock (performance.timeOrigin +
// performance.now(), in ms, the clock parley's log uses too):
//   - voiced: for each capture frame with speech, the end of its last 5 ms
//     window louder than -40 dBFS: the frame's arrival from the capture
//     worklet minus the samples after that window.
//   - started: for each sound, when its first sample reaches the audio
//     output (the worklet's context time mapped by getOutputTimestamp, as
//     the page's own first-sample delay does).
//   - ended: what the page reported to parley when a sound ended (samples,
//     RMS) and its context rate.
//
// It waits for the page to be connected, and wraps the page's own handlers,
// so the page keeps working unchanged.
const pageProbe = `new Promise((resolve) => {
  const install = () => {
    if (typeof page === 'undefined' || !page.attached || !page.capture || !page.player) { setTimeout(install, 20); return; }
    const rec = window.__probe = { voiced: [], started: [], ended: [] };
    const now = () => performance.timeOrigin + performance.now();
    const cap = page.capture.port.onmessage;
    page.capture.port.onmessage = (e) => {
      const f = new Int16Array(e.data.frame);
      let last = -1;
      for (let w = 0; w < 4; w++) {
        let sq = 0;
        for (let i = w * 80; i < (w + 1) * 80; i++) sq += f[i] * f[i];
        if (Math.sqrt(sq / 80) / 32768 > 0.01) last = w;
      }
      if (last >= 0) rec.voiced.push(now() - (f.length - (last + 1) * 80) / 16);
      cap(e);
    };
    const play = page.player.port.onmessage;
    page.player.port.onmessage = (e) => {
      const d = e.data;
      if (d.type === 'started') {
        const ts = page.ctx.getOutputTimestamp();
        rec.started.push({ id: d.id, out: performance.timeOrigin + ts.performanceTime + (d.at - ts.contextTime) * 1000 });
      }
      if (d.type === 'ended') rec.ended.push({ id: d.id, samples: d.samples, rms: d.rms, rate: page.ctx.sampleRate });
      play(e);
    };
    resolve(true);
  };
  install();
})`

// probeRecord is what pageProbe collected.
type probeRecord struct {
	Voiced  []float64 `json:"voiced"`
	Started []struct {
		ID  uint32  `json:"id"`
		Out float64 `json:"out"`
	} `json:"started"`
	Ended []struct {
		ID      uint32  `json:"id"`
		Samples float64 `json:"samples"`
		RMS     float64 `json:"rms"`
		Rate    float64 `json:"rate"`
	} `json:"ended"`
}

// pageStats is the part of the page's own report this test logs.
type pageStats struct {
	OutputLatencyMS  float64 `json:"output_latency_ms"`
	BaseLatencyMS    float64 `json:"base_latency_ms"`
	CaptureLatencyMS float64 `json:"capture_latency_ms"`
	JitterMS         float64 `json:"jitter_ms"`
	Underruns        int     `json:"underruns"`
	FirstMS          struct {
		N    int     `json:"n"`
		Mean float64 `json:"mean"`
	} `json:"first_ms"`
}

// TestBrowserConversation runs parley --audio web with the offline
// responder and a headless Chromium whose fake microphone asks questions
// (flite speech, looped): parley hears the page and answers; the page plays
// the answer, as its reports to parley show; requests without the token,
// with a wrong one or from another site are refused; a reload resumes the
// conversation.
func TestBrowserConversation(t *testing.T) {
	testenv.Command(t, "flite")
	testenv.Command(t, "sox")
	speech := questionsWAV(t)
	addr := freeAddr(t)
	p := start(t, "--headless", "--config", writeConfig(t, "[llm]\nengine = \"offline\"\n[vad]\nmin_silence = \"600ms\"\n"), "--audio", "web", "--web-addr", addr)
	pageURL := pageAddress(t, p, addr)
	checkRefusals(t, pageURL)

	chrome := testenv.StartChromium(t, pageURL, testenv.ChromiumOptions{FakeCapture: speech})
	p.waitFor(t, browserWait, "info: browser connected from 127.0.0.1:")
	tab := openTab(t, chrome, addr)
	first := answeredTurn(t, p, tab, 0)

	reload(t, p, tab)
	wantTranscript(t, tab, first)
	second := answeredTurn(t, p, tab, len(p.output()))
	t.Logf("after the reload: heard %q, said %q", second.heard, second.said)

	p.interrupt(t)
	logs := readLogs(t, p.home)
	wantLogged(t, logs, pageURL)
	reportVoiceToVoice(t, logs, []pageTurn{first, second})
}

// questionsWAV is the fake microphone's file: 3 s of silence, "what time is
// it", 6 s of silence, "what is the date", 6 s of silence (Chromium loops
// it). The silences leave parley the time to answer before the next
// question, and the page's speech ends clear to measure.
func questionsWAV(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	q1 := flite(t, "kal16", dir, "q1", "what time is it")
	q2 := flite(t, "kal16", dir, "q2", "what is the date")
	out := filepath.Join(dir, "questions.wav")
	for _, args := range [][]string{
		{q1, q1 + ".pad.wav", "pad", "3", "6"},
		{q2, q2 + ".pad.wav", "pad", "0", "6"},
		{q1 + ".pad.wav", q2 + ".pad.wav", "-b", "16", out},
	} {
		if b, err := exec.Command("sox", args...).CombinedOutput(); err != nil {
			t.Fatalf("sox %q: %v\n%s", args, err, b)
		}
	}
	return out
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

var pageLine = regexp.MustCompile(`^info: browser audio: open (http://\S+)`)

// pageAddress waits for the start-up line and returns the page's address
// with its token.
func pageAddress(t *testing.T, p *proc, addr string) string {
	t.Helper()
	line := p.waitFor(t, browserWait, "info: browser audio: open ")
	m := pageLine.FindStringSubmatch(line)
	if m == nil || !strings.HasPrefix(m[1], "http://"+addr+"/?token=") {
		t.Fatalf("start-up line %q does not carry http://%s/?token=…", line, addr)
	}
	return m[1]
}

// checkRefusals: the page and its socket refuse a missing or wrong token,
// and the socket refuses another site's page even with the right token.
func checkRefusals(t *testing.T, pageURL string) {
	t.Helper()
	u, err := url.Parse(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	token := u.Query().Get("token")
	base := "http://" + u.Host
	for _, c := range []struct{ path, origin string }{
		{"/", ""}, {"/?token=wrong", ""},
		{"/ws", ""}, {"/ws?token=wrong", ""}, {"/ws?token=" + token, "http://evil.example"},
	} {
		if code := refusedStatus(t, base, c.path, c.origin); code != http.StatusForbidden {
			t.Errorf("%s (origin %q): status %d, want 403", c.path, c.origin, code)
		}
	}
	if code := refusedStatus(t, base, "/?token="+token, ""); code != http.StatusOK {
		t.Errorf("the page with its token: status %d", code)
	}
}

// refusedStatus requests path (a WebSocket handshake for /ws) and returns
// the HTTP status parley answered.
func refusedStatus(t *testing.T, base, path, origin string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if strings.HasPrefix(path, "/ws") {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		ws, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+path, &websocket.DialOptions{HTTPHeader: h})
		if err == nil {
			_ = ws.CloseNow()
			return http.StatusSwitchingProtocols
		}
		if resp == nil {
			t.Fatalf("%s: %v", path, err)
		}
		return resp.StatusCode
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// openTab attaches to the page and installs the probe.
func openTab(t *testing.T, chrome *testenv.Chromium, addr string) *testenv.Tab {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), browserWait)
	defer cancel()
	tab, err := chrome.Tab(ctx, "http://"+addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tab.Close() })
	probe(t, tab)
	return tab
}

func probe(t *testing.T, tab *testenv.Tab) {
	t.Helper()
	eval(t, tab, pageProbe, nil)
}

func eval(t *testing.T, tab *testenv.Tab, expr string, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), browserWait)
	defer cancel()
	if err := tab.Eval(ctx, expr, v); err != nil {
		t.Fatalf("page: %v", err)
	}
}

// pageTurn is one question answered through the page.
type pageTurn struct {
	heard, answer, said string
	voiceToVoice        float64 // logged, ms
	// pageEnd and pageOut are, on the system clock (Unix ms), the end of
	// the question in what the page captured and the answer's first sample
	// at the page's output; pageEnd is NaN when the probe missed it.
	pageEnd, pageOut float64
	// captureMS is the microphone latency the browser declares; addedMS
	// what the page's report says the audio path adds (app.PageLatency).
	captureMS, addedMS float64
}

var loggedV2V = regexp.MustCompile(`voice_to_voice=(\d+)ms`)

// answeredTurn waits, among parley's lines from index from on, for a
// question heard and its answer said, then checks that the page played the
// answer and reports the delays.
func answeredTurn(t *testing.T, p *proc, tab *testenv.Tab, from int) pageTurn {
	t.Helper()
	var tr pageTurn
	var i int
	for {
		tr.heard, i = lineFrom(t, p, from, "heard: ")
		if strings.Contains(tr.heard, "time") || strings.Contains(tr.heard, "date") {
			break
		}
		from = i + 1 // a question cut by the page's start: wait for the next
	}
	tr.answer, _ = lineFrom(t, p, i, "answer: ")
	tr.said, _ = lineFrom(t, p, i, "said: ")
	metrics, _ := lineFrom(t, p, i, "metrics: ")
	if m := loggedV2V.FindStringSubmatch(metrics); m != nil {
		tr.voiceToVoice, _ = strconv.ParseFloat(m[1], 64)
	}
	t.Logf("heard %q; answered %q; %s", tr.heard, tr.answer, metrics)
	rec := wantPlayed(t, tab, tr.said)
	tr.measure(t, tab, rec)
	return tr
}

// lineFrom returns the first line at index from or later that starts with
// prefix (without it) and its index, waiting up to browserWait.
func lineFrom(t *testing.T, p *proc, from int, prefix string) (string, int) {
	t.Helper()
	deadline := time.NewTimer(browserWait)
	defer deadline.Stop()
	for {
		p.mu.Lock()
		for i := from; i < len(p.lines); i++ {
			if strings.HasPrefix(p.lines[i], prefix) {
				p.taken[i] = true
				line := p.lines[i]
				p.mu.Unlock()
				return strings.TrimPrefix(line, prefix), i
			}
		}
		grew, ended := p.grew, p.ended
		p.mu.Unlock()
		if ended {
			t.Fatalf("parley exited while waiting for %q; output:\n%s\nstderr:\n%s", prefix, strings.Join(p.output(), "\n"), p.stderr.String())
		}
		select {
		case <-grew:
		case <-deadline.C:
			t.Fatalf("no %q line within %s; output:\n%s", prefix, browserWait, strings.Join(p.output(), "\n"))
		}
	}
}

// wantPlayed checks what the page reported playing against what flite
// needs to say the answer: about as long, and as loud.
func wantPlayed(t *testing.T, tab *testenv.Tab, said string) probeRecord {
	t.Helper()
	var rec probeRecord
	eval(t, tab, "window.__probe", &rec)
	var seconds, energy float64
	for _, e := range rec.Ended {
		seconds += e.Samples / e.Rate
		energy += e.RMS * e.RMS * e.Samples / e.Rate
	}
	want, wantRMS := synthesis(t, said)
	rms := math.Sqrt(energy / math.Max(seconds, 1e-9))
	t.Logf("page played %d sound(s), %.2f s at RMS %.3f; flite says %q in %.2f s at RMS %.3f", len(rec.Ended), seconds, rms, said, want, wantRMS)
	if seconds < 0.8*want || seconds > 1.25*want {
		t.Errorf("the page played %.2f s of the answer, flite needs %.2f s", seconds, want)
	}
	if rms < 0.7*wantRMS || rms > 1.4*wantRMS {
		t.Errorf("the page played the answer at RMS %.3f, flite's is %.3f", rms, wantRMS)
	}
	return rec
}

// synthesis returns the length and RMS of text spoken by parley's voice
// (flite slt).
func synthesis(t *testing.T, text string) (seconds, rms float64) {
	t.Helper()
	wav, err := audio.ReadWAV(flite(t, "slt", t.TempDir(), "said", text))
	if err != nil {
		t.Fatal(err)
	}
	mono, err := audio.ToMono16k(wav)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, s := range mono {
		sum += float64(s) * float64(s)
	}
	return float64(len(mono)) / 16000, math.Sqrt(sum / float64(max(len(mono), 1)))
}

// measure takes from the probe the end of the question as the page
// captured it (the last voiced 5 ms before the answer's first sample
// reached the output) and that first sample's time, and from the page's
// own report what it adds.
func (tr *pageTurn) measure(t *testing.T, tab *testenv.Tab, rec probeRecord) {
	t.Helper()
	var st pageStats
	eval(t, tab, "stats()", &st)
	t.Logf("the page reports: first-sample delay %.1f ms over %d sound(s); declared output %.0f + base %.0f ms, microphone %.0f ms; jitter target %.0f ms; %d underruns",
		st.FirstMS.Mean, st.FirstMS.N, st.OutputLatencyMS, st.BaseLatencyMS, st.CaptureLatencyMS, st.JitterMS, st.Underruns)
	if len(rec.Started) == 0 {
		t.Error("the page reported no sound started")
		return
	}
	tr.pageOut, tr.pageEnd = rec.Started[0].Out, math.NaN()
	for _, v := range rec.Voiced {
		if v < tr.pageOut {
			tr.pageEnd = v
		}
	}
	tr.captureMS, tr.addedMS = st.CaptureLatencyMS, st.CaptureLatencyMS+20+st.FirstMS.Mean
	if tr.pageOut <= tr.pageEnd {
		t.Errorf("the answer reached the output %.0f ms after the question ended", tr.pageOut-tr.pageEnd)
	}
}

// minSilence is vad.min_silence in this test's configuration: parley
// places the end of speech this long before it detected the silence.
const minSilence = 600.0

// reportVoiceToVoice logs, for each measured turn, voice-to-voice as heard
// in the page (question's end, plus the browser's declared microphone
// latency, to the answer's first sample at the output) against the logged
// figure, and splits the difference with the log's clock (the same system
// clock): how late parley placed the end of speech (the 20 ms capture
// frame, the socket, and any backlog before parley's VAD read it), the
// logged span, and how long after parley's "started" mark the page output
// the first sample (the browser's output latency less the report's trip).
func reportVoiceToVoice(t *testing.T, logs []pipeline.Event, turns []pageTurn) {
	t.Helper()
	ends := speechEnds(logs)
	for _, tr := range turns {
		if math.IsNaN(tr.pageEnd) {
			t.Logf("voice-to-voice: the probe came after the question of %q ended: not measured in the page", tr.heard)
			continue
		}
		end, ok := nearest(ends, tr.pageEnd)
		heard := tr.pageOut - tr.pageEnd + tr.captureMS
		if !ok {
			t.Logf("voice-to-voice: logged %.0f ms, heard in the page %.0f ms (no logged end of speech near the page's)", tr.voiceToVoice, heard)
			continue
		}
		t.Logf("voice-to-voice: logged %.0f ms; heard in the page %.0f ms = microphone %.0f + parley placed the end %.0f ms late + logged %.0f + output after parley's mark %.0f; the page's report estimates the path at %.0f ms",
			tr.voiceToVoice, heard, tr.captureMS, end-tr.pageEnd, tr.voiceToVoice, tr.pageOut-(end+tr.voiceToVoice), tr.addedMS)
	}
}

// speechEnds returns where parley placed each utterance's end (Unix ms):
// the time it started transcribing less vad.min_silence.
func speechEnds(logs []pipeline.Event) []float64 {
	var ends []float64
	for _, ev := range logs {
		if ev.Kind == pipeline.KindState && ev.State == pipeline.StateTranscribing {
			ends = append(ends, float64(ev.Time.UnixNano())/1e6-minSilence)
		}
	}
	return ends
}

// nearest returns the value of list closest to v, if one is within 3 s.
func nearest(list []float64, v float64) (float64, bool) {
	best := math.Inf(1)
	for _, x := range list {
		if math.Abs(x-v) < math.Abs(best-v) {
			best = x
		}
	}
	return best, math.Abs(best-v) < 3000
}

// reload reloads the page and waits until parley has seen it go and come
// back, then probes the new page.
func reload(t *testing.T, p *proc, tab *testenv.Tab) {
	t.Helper()
	from := len(p.output())
	ctx, cancel := context.WithTimeout(t.Context(), browserWait)
	defer cancel()
	if err := tab.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	gone, i := lineFrom(t, p, from, "info: browser disconnected")
	if !strings.Contains(gone, "page closed or reloaded") {
		t.Errorf("disconnection notice %q", gone)
	}
	lineFrom(t, p, i, "info: browser connected from")
	probe(t, tab)
}

// wantTranscript checks that the reloaded page shows the conversation so far.
func wantTranscript(t *testing.T, tab *testenv.Tab, tr pageTurn) {
	t.Helper()
	var text string
	eval(t, tab, `document.getElementById('log').textContent`, &text)
	for _, want := range []string{tr.heard, tr.answer} {
		if !strings.Contains(text, want) {
			t.Errorf("after the reload the page's transcript lacks %q:\n%s", want, text)
		}
	}
}

// wantLogged finds the page's address and the page's comings and goings
// in the conversation log.
func wantLogged(t *testing.T, logs []pipeline.Event, pageURL string) {
	t.Helper()
	var address, gone bool
	for _, ev := range logs {
		if ev.Kind == pipeline.KindInfo {
			address = address || strings.Contains(ev.Text, pageURL)
			gone = gone || strings.HasPrefix(ev.Text, "browser disconnected")
		}
	}
	if !address || !gone {
		t.Errorf("conversation log: page's address %v, the reload's disconnection %v; want both", address, gone)
	}
}
