package pipeline

import "testing"

// TestNotifyErrorIsAnErrorEvent: an error from outside the pipeline (an
// audio device lost) reaches the stream as an error event, a notice as
// info.
func TestNotifyErrorIsAnErrorEvent(t *testing.T) {
	p := newTestPipeline(t, &sliceSource{}, &instantPlayer{})
	p.NotifyError("microphone: audio lost")
	p.Notify("microphone: audio restored")
	evs, err := collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	got := lines(evs, KindError, KindInfo)
	if len(got) != 2 || got[0] != "error: microphone: audio lost" || got[1] != "info: microphone: audio restored" {
		t.Errorf("events %q", got)
	}
}
