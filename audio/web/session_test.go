package web

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestFramesFromThePageReachTheMic(t *testing.T) {
	s := startServer(t, Options{})
	ws, _, err := dial(t, wsURL(s, "?token="+s.token), nil)
	if err != nil {
		t.Fatal(err)
	}
	early := &fakePage{t: t, ws: ws}
	early.sendPCM(make([]int16, 320)) // before its hello: not parley's yet
	_ = ws.CloseNow()

	p, _ := connectPage(t, s)
	frame := make([]int16, 320)
	for i := range frame {
		frame[i] = int16(i*100 - 16000)
	}
	p.sendPCM(frame)
	p.sendPCM(frame)
	got := readN(t, s.Mic(), 640)
	for i, v := range got {
		if want := float32(frame[i%320]) / 32768; v != want {
			t.Fatalf("sample %d = %v, want %v", i, v, want)
		}
	}
	if l := s.Mic().Level(); l.Peak < 0.45 || l.RMS <= 0 {
		t.Errorf("level %+v after a loud frame", l)
	}
}

func TestMicDeliversSilenceWithoutAPage(t *testing.T) {
	s := startServer(t, Options{})
	got := readN(t, s.Mic(), 800) // returns: no page, yet Read does not block forever
	for i, v := range got {
		if v != 0 {
			t.Fatalf("sample %d = %v, want silence", i, v)
		}
	}
}

func TestMicDropsWhatDoesNotFit(t *testing.T) {
	m := newMic(100 * time.Millisecond) // 1600 samples
	m.setLive(true)
	m.write(make([]float32, 1000))
	m.write(make([]float32, 1000))
	if m.Dropped() != 400 {
		t.Errorf("dropped %d, want 400", m.Dropped())
	}
}

func TestPlayReachesThePage(t *testing.T) {
	s := startServer(t, Options{})
	p, welcome := connectPage(t, s)
	if welcome.JitterMS != float64(DefaultJitter/time.Millisecond) {
		t.Errorf("welcome jitter %v ms", welcome.JitterMS)
	}
	samples := make([]float32, 22050/2) // 0.5 s at 22.05 kHz: the page resamples
	for i := range samples {
		samples[i] = float32(i%100)/100 - 0.5
	}
	pb, err := s.Speaker().Play(t.Context(), samples, 22050)
	if err != nil {
		t.Fatal(err)
	}
	var got []int16
	for {
		c := p.nextChunk()
		if c.id != pb.id || c.rate != 22050 || (len(got) == 0) != (c.flags&flagFirst != 0) {
			t.Fatalf("chunk id %d rate %d flags %b after %d samples", c.id, c.rate, c.flags, len(got))
		}
		got = append(got, c.pcm...)
		if c.flags&flagLast != 0 {
			break
		}
	}
	if len(got) != len(samples) || got[1] != toS16(samples[1]) || got[len(got)-1] != toS16(samples[len(samples)-1]) {
		t.Fatalf("page got %d samples, want %d, equal", len(got), len(samples))
	}
	if !s.Speaker().Playing() {
		t.Error("Playing is false before the page reported the end")
	}
	p.sendJSON(pageMsg{Type: "started", ID: pb.id})
	p.sendJSON(pageMsg{Type: "ended", ID: pb.id, Samples: 8000, RMS: 0.29})
	waitDone(t, pb)
	if _, ok := pb.Started(); !ok || pb.Flushed() || pb.Err() != nil {
		t.Errorf("started %v flushed %v err %v", ok, pb.Flushed(), pb.Err())
	}
	if out := pb.Output(); out.Samples != 8000 || out.RMS != 0.29 {
		t.Errorf("output %+v", out)
	}
}

func waitDone(t testing.TB, pb *Playback) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	if err := pb.Wait(ctx); err != nil {
		t.Fatalf("playback never ended: %v", err)
	}
}

func TestPlayWithoutAPageIsDropped(t *testing.T) {
	s := startServer(t, Options{})
	pb, err := s.Speaker().Play(t.Context(), make([]float32, 1600), 16000)
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, pb)
	if !pb.Flushed() || !errors.Is(pb.Err(), ErrNoBrowser) || s.Speaker().Dropped() != 1 {
		t.Errorf("flushed %v err %v dropped %d", pb.Flushed(), pb.Err(), s.Speaker().Dropped())
	}
	if _, err := s.Speaker().Play(t.Context(), nil, 0); !errors.Is(err, ErrInvalidAudio) {
		t.Errorf("rate 0: %v", err)
	}
}

func TestFlushDropsSoundsAndTellsThePage(t *testing.T) {
	s := startServer(t, Options{})
	p, _ := connectPage(t, s)
	a, _ := s.Speaker().Play(t.Context(), make([]float32, 16000), 16000)
	b, _ := s.Speaker().Play(t.Context(), make([]float32, 16000), 16000)
	s.Speaker().Flush()
	for _, pb := range []*Playback{a, b} {
		waitDone(t, pb)
		if !pb.Flushed() || !errors.Is(pb.Err(), ErrFlushed) {
			t.Errorf("playback %d: flushed %v err %v", pb.id, pb.Flushed(), pb.Err())
		}
	}
	for { // chunks already written may come first; then the flush, then nothing of a or b
		typ, data, err := p.next()
		if err != nil {
			t.Fatal(err)
		}
		if typ == websocket.MessageText && strings.Contains(string(data), `"flush"`) {
			break
		}
	}
	c, _ := s.Speaker().Play(t.Context(), make([]float32, 320), 16000)
	if got := p.nextChunk(); got.id != c.id {
		t.Errorf("after the flush the page got a chunk of sound %d, want %d", got.id, c.id)
	}
}

func TestNewPageReplacesTheOld(t *testing.T) {
	st := newStates()
	s := startServer(t, Options{OnState: st.record})
	s.Publish("heard", "what time is it")
	s.Publish("partial", "what ti")
	old, welcome := connectPage(t, s)
	if len(welcome.Events) != 1 || welcome.Events[0].Text != "what time is it" {
		t.Errorf("welcome history %+v, want the final transcript only", welcome.Events)
	}
	if got := st.next(t); !got.Connected || !strings.Contains(got.Message, "browser connected") {
		t.Errorf("state %+v", got)
	}
	pb, _ := s.Speaker().Play(t.Context(), make([]float32, 1600), 16000)
	s.Publish("answer", "It is noon.")

	fresh, welcome := connectPage(t, s) // a reload: the new socket replaces the old
	if len(welcome.Events) != 2 {
		t.Errorf("after the reload the page got %d entries, want 2", len(welcome.Events))
	}
	if got := st.next(t); !got.Connected {
		t.Errorf("state %+v, want connected", got)
	}
	waitDone(t, pb)
	if !errors.Is(pb.Err(), ErrDisconnected) {
		t.Errorf("sound of the replaced page: %v", pb.Err())
	}
	for {
		if _, _, err := old.next(); err != nil {
			if websocket.CloseStatus(err) != closeReplaced {
				t.Errorf("old page closed with %v, want %d (replaced)", err, closeReplaced)
			}
			break
		}
	}
	s.Publish("said", "It is noon.")
	if m := fresh.nextText(); m.Type != "event" || m.Kind != "said" {
		t.Errorf("new page got %+v", m)
	}
}

func TestDroppedConnectionIsReported(t *testing.T) {
	st := newStates()
	var s *Server
	s = startServer(t, Options{Timeout: time.Second, OnState: func(got State) {
		if s.State() != got { // the callback may ask the server
			t.Errorf("State() in the callback = %+v, want %+v", s.State(), got)
		}
		st.record(got)
	}})
	p, _ := connectPage(t, s)
	st.next(t)
	_ = p.ws.Close(websocket.StatusGoingAway, "")
	got := st.next(t)
	if got.Connected || !strings.Contains(got.Message, "browser disconnected (page closed or reloaded)") {
		t.Errorf("state %+v", got)
	}
	if s.State() != got {
		t.Errorf("State() = %+v, want %+v", s.State(), got)
	}

	silent, _ := connectPage(t, s) // connected, then nothing: a dead tunnel
	st.next(t)
	got = st.next(t)
	if got.Connected || !strings.Contains(got.Message, "nothing heard from the page for 1s") {
		t.Errorf("state %+v", got)
	}
	_ = silent
	pb, _ := s.Speaker().Play(t.Context(), make([]float32, 160), 16000)
	if !errors.Is(pb.Err(), ErrNoBrowser) {
		t.Errorf("play after the drop: %v", pb.Err())
	}
}

func TestPushToTalkAndStatsFromThePage(t *testing.T) {
	talk := make(chan bool, 2)
	s := startServer(t, Options{OnPushToTalk: func(on bool) { talk <- on }})
	p, _ := connectPage(t, s)
	p.sendJSON(pageMsg{Type: "ptt", Down: true})
	p.sendJSON(pageMsg{Type: "ptt", Down: false})
	p.sendJSON(pageMsg{Type: "stats", Stats: &PageStats{Rate: 48000, Played: 123, FirstMS: Summary{N: 1, Mean: 9}}})
	p.sendJSON(pageMsg{Type: "novelty"}) // from a newer page: ignored
	for _, want := range []bool{true, false} {
		select {
		case got := <-talk:
			if got != want {
				t.Errorf("push-to-talk %v, want %v", got, want)
			}
		case <-time.After(wait):
			t.Fatal("no push-to-talk call")
		}
	}
	deadline := time.Now().Add(wait)
	for {
		if st, ok := s.PageStats(); ok && st.Played == 123 {
			if st.PlaybackDelay() != 9*time.Millisecond {
				t.Errorf("playback delay %s", st.PlaybackDelay())
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("stats never arrived")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSoundsOfAPageThatStoppedPlayingAreDropped(t *testing.T) {
	s := startServer(t, Options{Timeout: time.Second})
	p, _ := connectPage(t, s)
	pb, _ := s.Speaker().Play(t.Context(), make([]float32, 160), 16000)
	ctx, cancel := context.WithTimeout(t.Context(), wait)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for done := false; !done; { // connected, reporting, never playing
		p.sendJSON(pageMsg{Type: "stats", Stats: &PageStats{Context: "suspended"}})
		select {
		case <-pb.Done():
			done = true
		case <-tick.C:
		case <-ctx.Done():
			t.Fatal("the sound was never dropped")
		}
	}
	if !errors.Is(pb.Err(), ErrStalled) {
		t.Errorf("err %v, want ErrStalled", pb.Err())
	}
	if !s.State().Connected {
		t.Error("a page that stopped playing was disconnected")
	}
}
