package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"parley/audio"
	"parley/internal/testenv"
)

// speechText is what the fake microphone says, looped by Chromium.
const speechText = "Hello parley. What time is it in Paris? Tell me about the weather tomorrow."

// browserSession is parley's server with a headless Chromium on its page.
type browserSession struct {
	srv    *Server
	states *states
	chrome *testenv.Chromium
	tab    *testenv.Tab
	speech []float32 // the fake microphone's file, 16 kHz mono
}

// startBrowser starts the server and a Chromium whose fake microphone plays
// speech made with flite on the page (its URL plus query), and waits until
// the page is connected.
func startBrowser(t testing.TB, query string) *browserSession {
	t.Helper()
	wav := fliteWAV(t, speechText)
	a, err := audio.ReadWAV(wav)
	if err != nil {
		t.Fatal(err)
	}
	speech, err := audio.ToMono16k(a)
	if err != nil {
		t.Fatal(err)
	}
	b := &browserSession{states: newStates(), speech: speech}
	b.srv = startServer(t, Options{OnState: b.states.record})
	b.chrome = testenv.StartChromium(t, b.srv.URL()+query, testenv.ChromiumOptions{FakeCapture: wav})
	if st := b.states.next(t); !st.Connected {
		t.Fatalf("state %+v, want the page connected", st)
	}
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	if b.tab, err = b.chrome.Tab(ctx, "http://"+b.srv.Addr().String()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.tab.Close() })
	return b
}

func fliteWAV(t testing.TB, text string) string {
	t.Helper()
	testenv.Command(t, "flite")
	path := filepath.Join(t.TempDir(), "speech.wav")
	if out, err := exec.Command("flite", "-voice", "slt", "-t", text, "-o", path).CombinedOutput(); err != nil {
		t.Fatalf("flite: %v\n%s", err, out)
	}
	return path
}

// eval runs JavaScript in the page and decodes its value.
func (b *browserSession) eval(t *testing.T, expr string, v any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	if err := b.tab.Eval(ctx, expr, v); err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
}

// play plays samples on the page and waits for the page to report them.
func (b *browserSession) play(t testing.TB, samples []float32, rate int) *Playback {
	t.Helper()
	pb, err := b.srv.Speaker().Play(t.Context(), samples, rate)
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, pb)
	if pb.Flushed() {
		t.Fatalf("playback ended unplayed: %v", pb.Err())
	}
	return pb
}

func TestBrowserPage(t *testing.T) {
	b := startBrowser(t, "")
	t.Run("hears the page's microphone", b.testCapture)
	t.Run("plays parley's voice", b.testPlayback)
	t.Run("shows the transcript", b.testTranscript)
	t.Run("browser is refused without token or from another site", b.testRefusals)
	t.Run("reload resumes", b.testReload)
	t.Run("reconnects after a drop", b.testDrop)
}

// TestBrowserPageResamples runs the page's audio at 48 kHz, so that its
// worklets resample: the microphone to 16 kHz, parley's voice to 48 kHz.
func TestBrowserPageResamples(t *testing.T) {
	b := startBrowser(t, "&rate=48000")
	t.Run("hears the page's microphone", b.testCapture)
	t.Run("plays parley's voice", b.testPlayback)
	if st, _ := b.srv.PageStats(); st.Rate != 48000 {
		t.Errorf("page ran at %d Hz, want 48000", st.Rate)
	}
}

func (b *browserSession) testCapture(t *testing.T) {
	readN(t, b.srv.Mic(), 2*CaptureRate) // let the browser's gain control settle
	got := readN(t, b.srv.Mic(), len(b.speech))
	file, heard := envelope(b.speech), envelope(got)
	corr, lag := bestCircularCorrelation(heard, file)
	t.Logf("capture: %.1f s received; envelope correlation with the file %.2f at lag %d frames; loudest 20 ms %.3f (file %.3f)",
		float64(len(got))/CaptureRate, corr, lag, maxOf(heard), maxOf(file))
	if corr < 0.6 {
		t.Errorf("what arrived does not follow the speech file: envelope correlation %.2f, want >= 0.6", corr)
	}
	if voiced(heard) < voiced(file)/2 || voiced(heard) > 2*voiced(file)+5 {
		t.Errorf("voiced frames: %d received, %d in the file", voiced(heard), voiced(file))
	}
	st, ok := b.srv.PageStats()
	if !ok || !st.EchoCancellation || !st.NoiseSuppression || !st.AutoGainControl {
		t.Errorf("page stats %+v: the browser's echo cancellation, noise suppression and gain control must be on", st)
	}
}

func (b *browserSession) testPlayback(t *testing.T) {
	tone := make([]float32, 22050) // 1 s at 22.05 kHz: the page resamples it
	for i := range tone {
		tone[i] = 0.5 * float32(math.Sin(2*math.Pi*440*float64(i)/22050))
	}
	pb := b.play(t, tone, 22050)
	st, _ := b.srv.PageStats()
	rate := float64(st.Rate)
	out := pb.Output()
	t.Logf("tone: page played %d samples at %v Hz, rms %.3f", out.Samples, rate, out.RMS)
	if math.Abs(float64(out.Samples)-rate) > 0.02*rate || math.Abs(out.RMS-0.5/math.Sqrt2) > 0.03 {
		t.Errorf("page played %d samples (want ~%v) at rms %.3f (want %.3f)", out.Samples, rate, out.RMS, 0.5/math.Sqrt2)
	}
	pb = b.play(t, b.speech, CaptureRate)
	want := rmsOf(b.speech)
	if out := pb.Output(); math.Abs(out.RMS-want) > 0.1*want {
		t.Errorf("speech played at rms %.4f, sent at %.4f", out.RMS, want)
	}
	if _, ok := pb.Started(); !ok {
		t.Error("Started unset after the page played the sound")
	}
}

func (b *browserSession) testTranscript(t *testing.T) {
	b.srv.Publish("heard", "what time is it")
	b.srv.Publish("answer", "It is <b>noon</b>.")
	var text string
	b.eval(t, `new Promise(r => { const f = () => { const t = document.getElementById('log').textContent;
		if (t.includes('noon')) r(t); else setTimeout(f, 50); }; f(); })`, &text)
	if !strings.Contains(text, "what time is it") || !strings.Contains(text, "It is <b>noon</b>.") {
		t.Errorf("transcript %q (markup must show as text)", text)
	}
}

// wsAttempt is JavaScript that opens a WebSocket and says how it ended.
const wsAttempt = `new Promise(r => { const w = new WebSocket(%q);
	w.onopen = () => { w.close(); r('open'); }; w.onclose = e => r('closed ' + e.code); })`

func (b *browserSession) testRefusals(t *testing.T) {
	host := b.srv.Addr().String()
	before := b.srv.Refused()
	for _, url := range []string{"ws://" + host + "/ws", "ws://" + host + "/ws?token=guess"} {
		var got string
		b.eval(t, fmt.Sprintf(wsAttempt, url), &got)
		if got == "open" {
			t.Errorf("%s: the browser connected", url)
		}
	}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("<!doctype html><title>another site</title>"))
	}))
	defer other.Close()
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	foreign, err := b.chrome.Open(ctx, other.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer foreign.Close()
	var got string
	if err := foreign.Eval(ctx, fmt.Sprintf(wsAttempt, "ws://"+host+"/ws?token="+b.srv.token), &got); err != nil {
		t.Fatal(err)
	}
	if got == "open" {
		t.Error("a page of another site connected with the right token")
	}
	after := b.srv.Refused()
	if after.Token != before.Token+2 || after.Origin != before.Origin+1 {
		t.Errorf("refusals went from %+v to %+v, want 2 for the token and 1 for the origin", before, after)
	}
	if !b.srv.State().Connected {
		t.Error("the refused attempts disconnected the real page")
	}
}

func (b *browserSession) testReload(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	if err := b.tab.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if st := b.states.next(t); st.Connected || !strings.Contains(st.Message, "browser disconnected") {
		t.Errorf("state %+v, want disconnected", st)
	}
	if st := b.states.next(t); !st.Connected {
		t.Fatalf("state %+v, want connected again", st)
	}
	var text string
	b.eval(t, `new Promise(r => { const f = () => { const t = document.getElementById('log').textContent;
		if (t.includes('noon')) r(t); else setTimeout(f, 50); }; f(); })`, &text)
	if !strings.Contains(text, "what time is it") {
		t.Errorf("after the reload the transcript is %q", text)
	}
	if pb := b.play(t, b.speech[:CaptureRate/2], CaptureRate); pb.Output().Samples == 0 {
		t.Error("nothing played after the reload")
	}
	readN(t, b.srv.Mic(), CaptureRate/2)
}

func (b *browserSession) testDrop(t *testing.T) {
	b.srv.current().ws.CloseNow() // the link dies without a goodbye
	if st := b.states.next(t); st.Connected {
		t.Errorf("state %+v, want disconnected", st)
	}
	if st := b.states.next(t); !st.Connected {
		t.Fatalf("state %+v, want the page back", st)
	}
	if pb := b.play(t, b.speech[:CaptureRate/2], CaptureRate); pb.Output().Samples == 0 {
		t.Error("nothing played after the page came back")
	}
}

// envelope returns the RMS of each 20 ms frame.
func envelope(x []float32) []float64 {
	const n = CaptureRate / 50
	out := make([]float64, 0, len(x)/n)
	for i := 0; i+n <= len(x); i += n {
		out = append(out, rmsOf(x[i:i+n]))
	}
	return out
}

func rmsOf(x []float32) float64 {
	var sum float64
	for _, v := range x {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(max(1, len(x))))
}

func maxOf(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = max(m, v)
	}
	return m
}

// voiced counts frames within 30 dB of the loudest.
func voiced(env []float64) int {
	floor := maxOf(env) * math.Pow(10, -30.0/20)
	n := 0
	for _, v := range env {
		if v > floor {
			n++
		}
	}
	return n
}

// bestCircularCorrelation finds the shift of the looped file envelope that
// best matches what was heard (Pearson correlation of log envelopes).
func bestCircularCorrelation(heard, file []float64) (float64, int) {
	h, f := logs(heard), logs(file)
	best, lag := -1.0, 0
	for l := range f {
		shifted := make([]float64, len(h))
		for i := range h {
			shifted[i] = f[(i+l)%len(f)]
		}
		if c := pearson(h, shifted); c > best {
			best, lag = c, l
		}
	}
	return best, lag
}

func logs(env []float64) []float64 {
	out := make([]float64, len(env))
	for i, v := range env {
		out[i] = math.Log10(v + 1e-4)
	}
	return out
}

func pearson(a, b []float64) float64 {
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var num, da, db float64
	for i := range a {
		num += (a[i] - ma) * (b[i] - mb)
		da += (a[i] - ma) * (a[i] - ma)
		db += (b[i] - mb) * (b[i] - mb)
	}
	return num / math.Sqrt(da*db+1e-12)
}
