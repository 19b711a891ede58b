package app

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"parley/audio"
	"parley/audio/web"
	"parley/config"
	"parley/pipeline"
)

// pageLog records what the relay shows on the page.
type pageLog struct {
	mu    sync.Mutex
	shown []string
}

func (p *pageLog) Publish(kind, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.shown = append(p.shown, kind+": "+text)
}

// TestRelayShowsWhatAPersonReads: every event reaches the front end in
// order; the page gets those a person reads, notices as "notice", and not
// state, speech or metrics.
func TestRelayShowsWhatAPersonReads(t *testing.T) {
	in := make(chan pipeline.Event, 16)
	evs := []pipeline.Event{
		{Kind: pipeline.KindInfo, Text: "browser connected"}, {Kind: pipeline.KindState, State: pipeline.StateListening},
		{Kind: pipeline.KindSpeechStart}, {Kind: pipeline.KindPartial, Text: "what"}, {Kind: pipeline.KindHeard, Text: "what time is it"},
		{Kind: pipeline.KindAnswerDelta, Text: "It's"}, {Kind: pipeline.KindAnswer, Text: "It's noon."},
		{Kind: pipeline.KindSaid, Text: "It's noon."}, {Kind: pipeline.KindMetrics, Metrics: &pipeline.TurnMetrics{}},
		{Kind: pipeline.KindInterrupted, Text: "cut"}, {Kind: pipeline.KindError, Text: "tts failed"},
	}
	for _, ev := range evs {
		in <- ev
	}
	close(in)
	page := &pageLog{}
	var got []pipeline.Kind
	for ev := range relayEvents(make(chan struct{}), in, page) {
		got = append(got, ev.Kind)
	}
	if len(got) != len(evs) {
		t.Fatalf("front end got %v", got)
	}
	for i, k := range got {
		if k != evs[i].Kind {
			t.Errorf("event %d is %s, want %s", i, k, evs[i].Kind)
		}
	}
	want := "notice: browser connected|partial: what|heard: what time is it|delta: It's|answer: It's noon.|said: It's noon.|interrupted: cut|error: tts failed"
	if shown := strings.Join(page.shown, "|"); shown != want {
		t.Errorf("page shows\n%s\nwant\n%s", shown, want)
	}
}

// TestRelayStopsWhenClosed: neither a front end that stopped reading nor a
// pipeline that never ran keeps the relay alive once the App closes.
func TestRelayStopsWhenClosed(t *testing.T) {
	for _, queued := range []int{0, 1, 3} {
		in := make(chan pipeline.Event, 1)
		if queued > 0 {
			in <- pipeline.Event{Kind: pipeline.KindHeard}
		}
		done := make(chan struct{})
		out := relayEvents(done, in, &pageLog{})
		if queued == 3 { // the relay holds one, out one, in one: nobody reads
			in <- pipeline.Event{Kind: pipeline.KindHeard}
			in <- pipeline.Event{Kind: pipeline.KindHeard}
		}
		close(done)
		drain(t, out)
	}
}

// drain reads out until it closes.
func drain(t *testing.T, out <-chan pipeline.Event) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-out:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("relay still running after close")
		}
	}
}

func webConfig(t *testing.T) config.Audio {
	t.Helper()
	return config.Audio{Backend: "web", WebAddr: "127.0.0.1:0"}
}

// TestOpenAudioWeb: audio.backend = "web" serves the page, whose
// microphone is the input and whose speaker plays; no device opens, no echo
// canceller runs, no device switch is offered, and the start-up fact
// carries the page's address on its one line and the SSH recipe in its
// detail.
func TestOpenAudioWeb(t *testing.T) {
	a, err := OpenAudio(t.Context(), webConfig(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Web == nil || a.Source != pipeline.Source(a.Web.Mic()) || a.Mic != nil || a.Speaker != nil || a.Echo != nil {
		t.Fatalf("audio ends %+v", a)
	}
	if _, ok := a.player().(speakerAdapter[*web.Playback]); !ok {
		t.Errorf("player %T, want the page's speaker", a.player())
	}
	live := newLiveAudio(a)
	if !a.live() || live.now().canceller != nil {
		t.Error("the page's microphone is live and has no double-talk detector of parley's")
	}
	if _, ok := live.player.p.(speakerAdapter[*web.Playback]); !ok {
		t.Errorf("live player %T, want the page's speaker", live.player.p)
	}
	for _, sw := range []func(context.Context, string) (audio.DeviceInfo, error){live.switchMic, live.switchSpeaker} {
		if _, err := sw(t.Context(), "virtmic"); !errors.Is(err, errWebSwitch) {
			t.Errorf("device switch with the page: %v, want it refused", err)
		}
	}
	if _, _, err := (&App{audio: a}).Devices(t.Context()); !errors.Is(err, errWebSwitch) {
		t.Errorf("device list with the page: %v, want it refused", err)
	}
	n := a.pageFact()
	if n.Fact != "audio" || n.Text != "browser audio: open "+a.Web.URL() || !strings.Contains(n.Detail, "ssh -L") {
		t.Errorf("start-up fact %+v", n)
	}
	if l := a.AddedLatency(); l.Path != "browser page" || l.Measured || l.Capture != 20*time.Millisecond {
		t.Errorf("added latency before a page %+v", l)
	}
	resp, err := http.Get(a.Web.URL())
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("page answered %s", resp.Status)
	}
	url := a.Web.URL()
	_ = a.Close()
	if resp, err := http.Get(url); err == nil {
		_ = resp.Body.Close()
		t.Error("the page is still served after Close")
	}
}

// TestOpenAudioWebWithInput: --input (or typed turns only) replaces the
// page's microphone, the page still speaks; sound card devices cannot be
// named.
func TestOpenAudioWebWithInput(t *testing.T) {
	a, err := OpenAudio(t.Context(), webConfig(t), Options{Input: "../audio/testdata/tone_16k_f32.wav"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.live() || a.Source == pipeline.Source(a.Web.Mic()) || !strings.Contains(a.pageFact().Detail, "file input") {
		t.Errorf("input %T described %q", a.Source, a.pageFact().Detail)
	}
	typed, err := OpenAudio(t.Context(), webConfig(t), Options{NoMic: true})
	if err != nil {
		t.Fatal(err)
	}
	defer typed.Close()
	if _, ok := typed.Source.(noInput); !ok || typed.live() || !strings.Contains(typed.pageFact().Detail, "typed turns") {
		t.Errorf("typed turns only with the page: input %T described %q", typed.Source, typed.pageFact().Detail)
	}
	if _, err := OpenAudio(context.Background(), webConfig(t), Options{InputDevice: "virtmic"}); !errors.Is(err, errWebDevice) {
		t.Errorf("--input-device with web: %v", err)
	}
	busy := config.Audio{Backend: "web", WebAddr: a.Web.Addr().String()}
	if _, err := OpenAudio(context.Background(), busy, Options{}); err == nil || !strings.Contains(err.Error(), busy.WebAddr) {
		t.Errorf("address in use: %v, want an error naming it", err)
	}
}

// control records what the page sends the conversation.
type control struct {
	notices chan pipeline.Notice
	ptt     chan bool
}

func (c control) Announce(n pipeline.Notice) { c.notices <- n }
func (c control) SetPushToTalk(talking bool) { c.ptt <- talking }

// TestPageReachesTheConversation: a page that connects, presses
// push-to-talk and leaves is seen by the conversation as its "page" fact
// and push-to-talk, through the real server (a WebSocket client speaking the
// page's protocol stands in for the browser).
func TestPageReachesTheConversation(t *testing.T) {
	a, err := OpenAudio(t.Context(), webConfig(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctl := control{notices: make(chan pipeline.Notice, 8), ptt: make(chan bool, 8)}
	a.page.attach(ctl)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	wsURL := "ws" + strings.TrimPrefix(strings.Replace(a.Web.URL(), "/?", "/ws?", 1), "http")
	ws, _, err := websocket.Dial(ctx, wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{`{"type":"hello","version":1}`, `{"type":"ptt","down":true}`, `{"type":"ptt","down":false}`} {
		if err := ws.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	if n := receive(ctx, t, ctl.notices); n.Fact != "page" || !strings.HasPrefix(n.Text, "browser connected from 127.0.0.1:") {
		t.Errorf("notice %+v", n)
	}
	if down, up := receive(ctx, t, ctl.ptt), receive(ctx, t, ctl.ptt); !down || up {
		t.Errorf("push-to-talk %v then %v, want pressed then released", down, up)
	}
	_ = ws.Close(websocket.StatusGoingAway, "")
	if n := receive(ctx, t, ctl.notices); n.Fact != "page" || !strings.HasPrefix(n.Text, "browser disconnected (page closed or reloaded)") {
		t.Errorf("notice %+v", n)
	}
}

func receive[T any](ctx context.Context, t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		t.Fatal("nothing arrived from the page")
	}
	var zero T
	return zero
}

// TestPageLatency: the page's report becomes the delay per direction.
func TestPageLatency(t *testing.T) {
	st := web.PageStats{CaptureLatencyMS: 10}
	st.FirstMS.N, st.FirstMS.Mean = 3, 41
	l := PageLatency(st, true)
	if l.Capture != 30*time.Millisecond || l.Playback != 41*time.Millisecond || !l.Measured || l.Total() != 71*time.Millisecond {
		t.Errorf("%+v", l)
	}
	if PageLatency(web.PageStats{}, true).Measured {
		t.Error("a page that has played nothing has not measured its playback delay")
	}
}
