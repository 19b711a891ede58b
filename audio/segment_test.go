package audio

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// frameOf returns a frame whose samples all equal the frame's index, so
// that tests can tell which frames an event carries.
func frameOf(i int) []float32 {
	f := make([]float32, FrameSize)
	for j := range f {
		f[j] = float32(i)
	}
	return f
}

// seq builds a probability sequence from (probability, frames) pairs.
func seq(parts ...any) []float32 {
	var out []float32
	for i := 0; i < len(parts); i += 2 {
		for range parts[i+1].(int) {
			out = append(out, float32(parts[i].(float64)))
		}
	}
	return out
}

// runSegmenter pushes every probability with frameOf(i), then flushes.
func runSegmenter(t *testing.T, opts SegmenterOptions, probs []float32) []Event {
	t.Helper()
	s, err := NewSegmenter(opts)
	if err != nil {
		t.Fatal(err)
	}
	var evs []Event
	for i, p := range probs {
		evs = append(evs, s.Push(p, frameOf(i))...)
	}
	return append(evs, s.Flush()...)
}

// kinds summarises events as "start speech*N end(reason)" style strings.
func kinds(evs []Event) []string {
	var out []string
	for _, e := range evs {
		switch {
		case e.Kind == Speech && len(out) > 0 && strings.HasPrefix(out[len(out)-1], "speech"):
			out[len(out)-1] = "speech+"
		case e.Kind == SpeechEnd:
			out = append(out, "end:"+e.Reason.String())
		default:
			out = append(out, e.Kind.String())
		}
	}
	return out
}

// checkUtterances verifies that every SpeechEnd's Utterance is exactly the
// concatenation of its SpeechStart and Speech samples.
func checkUtterances(t *testing.T, evs []Event) {
	t.Helper()
	var acc []float32
	for _, e := range evs {
		switch e.Kind {
		case SpeechStart:
			acc = slices.Clone(e.Samples)
		case Speech:
			acc = append(acc, e.Samples...)
		case SpeechEnd:
			if !slices.Equal(acc, e.Utterance) {
				t.Fatalf("utterance of %d samples differs from the %d streamed", len(e.Utterance), len(acc))
			}
		}
	}
}

func TestSegmenterSingleUtterance(t *testing.T) {
	evs := runSegmenter(t, DefaultSegmenterOptions(), seq(0.05, 20, 0.9, 30, 0.05, 20))
	if got := kinds(evs); !slices.Equal(got, []string{"start", "speech+", "end:silence"}) {
		t.Fatalf("events %v", got)
	}
	start, end := evs[0], evs[len(evs)-1]
	if start.PreRoll != 4800 || start.Offset != 20*FrameSize-4800 || len(start.Samples) != 4800+FrameSize {
		t.Fatalf("start: pre-roll %d offset %d len %d", start.PreRoll, start.Offset, len(start.Samples))
	}
	// 300 ms of silence is 9.4 frames: the 10th silent frame (index 59) ends it.
	if n := len(end.Utterance); n != 4800+40*FrameSize {
		t.Fatalf("utterance %d samples, want pre-roll + frames 20..59", n)
	}
	if end.Speech != 960*time.Millisecond || end.Offset != start.Offset {
		t.Fatalf("end: speech %v offset %d", end.Speech, end.Offset)
	}
	checkUtterances(t, evs)
}

func TestSegmenterPreRollContent(t *testing.T) {
	evs := runSegmenter(t, DefaultSegmenterOptions(), seq(0.1, 12, 0.9, 20, 0.1, 12))
	start := evs[0]
	pre := start.Samples[:start.PreRoll]
	// The last 4800 samples before frame 12: the tail of frame 2, frames 3..11.
	if pre[0] != 2 || pre[len(pre)-1] != 11 || start.Samples[start.PreRoll] != 12 {
		t.Fatalf("pre-roll runs %v..%v then %v", pre[0], pre[len(pre)-1], start.Samples[start.PreRoll])
	}
	if got := runSegmenter(t, DefaultSegmenterOptions(), seq(0.9, 20, 0.1, 12)); got[0].PreRoll != 0 {
		t.Fatalf("speech from the first frame has pre-roll %d", got[0].PreRoll)
	}
}

func TestSegmenterTwoUtterances(t *testing.T) {
	evs := runSegmenter(t, DefaultSegmenterOptions(), seq(0.0, 10, 0.8, 25, 0.0, 15, 0.7, 40, 0.0, 15))
	want := []string{"start", "speech+", "end:silence", "start", "speech+", "end:silence"}
	if got := kinds(evs); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	// The second pre-roll holds only frames heard after the first ended
	// (frames 45..49), never audio already delivered.
	second := evs[slices.IndexFunc(evs[1:], func(e Event) bool { return e.Kind == SpeechStart })+1]
	if second.Samples[0] != 45 || second.PreRoll != 5*FrameSize {
		t.Fatalf("second pre-roll starts at frame %v with %d samples", second.Samples[0], second.PreRoll)
	}
	checkUtterances(t, evs)
}

func TestSegmenterCancelsBlip(t *testing.T) {
	evs := runSegmenter(t, DefaultSegmenterOptions(), seq(0.0, 10, 0.95, 5, 0.0, 12, 0.9, 20, 0.0, 12))
	want := []string{"start", "speech+", "cancel", "start", "speech+", "end:silence"}
	if got := kinds(evs); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	cancel := evs[slices.IndexFunc(evs, func(e Event) bool { return e.Kind == SpeechCancel })]
	if cancel.Speech != 160*time.Millisecond || cancel.Utterance != nil {
		t.Fatalf("cancel: speech %v, utterance %d", cancel.Speech, len(cancel.Utterance))
	}
	// After a cancel the blip's tail is pre-roll again: frames 18..24 are
	// the 300 ms before the next onset at frame 27.
	second := evs[slices.IndexFunc(evs, func(e Event) bool { return e.Kind == SpeechCancel })+1]
	if second.PreRoll != 4800 || second.Samples[second.PreRoll] != 27 {
		t.Fatalf("second start: pre-roll %d, onset frame %v", second.PreRoll, second.Samples[second.PreRoll])
	}
}

func TestSegmenterHangover(t *testing.T) {
	// A 160 ms pause (5 frames) is shorter than MinSilence: one utterance.
	evs := runSegmenter(t, DefaultSegmenterOptions(), seq(0.9, 10, 0.1, 5, 0.9, 10, 0.1, 10))
	if got := kinds(evs); !slices.Equal(got, []string{"start", "speech+", "end:silence"}) {
		t.Fatalf("short pause: events %v", got)
	}
	// Frames between the thresholds neither start the silence count...
	evs = runSegmenter(t, DefaultSegmenterOptions(), seq(0.9, 10, 0.4, 30))
	if got := kinds(evs); !slices.Equal(got, []string{"start", "speech+", "end:flush"}) {
		t.Fatalf("in-between frames: events %v", got)
	}
	// ...nor stop it once it has started: 1 silent frame then 0.4s end it
	// 10 frames later, and the speech excludes that trailing silence.
	evs = runSegmenter(t, DefaultSegmenterOptions(), seq(0.9, 10, 0.1, 1, 0.4, 9, 0.9, 5))
	end := evs[slices.IndexFunc(evs, func(e Event) bool { return e.Kind == SpeechEnd })]
	if end.Reason != EndSilence || end.Speech != 320*time.Millisecond || len(end.Utterance) != 20*FrameSize {
		t.Fatalf("end %v after %v speech, %d samples", end.Reason, end.Speech, len(end.Utterance))
	}
}

func TestSegmenterSplitsAtMaxLength(t *testing.T) {
	opts := DefaultSegmenterOptions()
	opts.MaxUtterance = 2 * time.Second
	evs := runSegmenter(t, opts, seq(0.0, 5, 0.9, 150))
	want := []string{"start", "speech+", "end:max-length", "start", "speech+", "end:max-length", "start", "speech+", "end:flush"}
	if got := kinds(evs); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	total := 0
	for _, e := range evs {
		if e.Kind == SpeechEnd {
			if len(e.Utterance) > 2*SampleRate {
				t.Fatalf("utterance of %d samples exceeds 2 s", len(e.Utterance))
			}
			total += len(e.Utterance)
		}
	}
	if total != 155*FrameSize { // every sample exactly once, no duplicates
		t.Fatalf("utterances hold %d samples, want %d", total, 155*FrameSize)
	}
	checkUtterances(t, evs)
}

func TestSegmenterFlushAndReset(t *testing.T) {
	s, err := NewSegmenter(DefaultSegmenterOptions())
	if err != nil {
		t.Fatal(err)
	}
	if evs := s.Flush(); evs != nil {
		t.Fatalf("idle flush: %v", evs)
	}
	s.Push(0.9, frameOf(0))
	if evs := s.Flush(); len(evs) != 1 || evs[0].Kind != SpeechCancel {
		t.Fatalf("short flush: %v", kinds(evs))
	}
	s.Push(0.9, frameOf(1))
	s.Reset()
	if s.Active() {
		t.Fatal("active after Reset")
	}
	if evs := s.Push(0.9, frameOf(2)); evs[0].Offset != 0 || evs[0].PreRoll != 0 {
		t.Fatalf("after Reset: offset %d pre-roll %d", evs[0].Offset, evs[0].PreRoll)
	}
}

func TestSegmenterOptionsValidate(t *testing.T) {
	tests := []struct {
		field string
		edit  func(*SegmenterOptions)
	}{
		{"Threshold", func(o *SegmenterOptions) { o.Threshold = 1.5 }},
		{"NegThreshold", func(o *SegmenterOptions) { o.NegThreshold = 0.6 }},
		{"MinSpeech", func(o *SegmenterOptions) { o.MinSpeech = -1 }},
		{"MinSilence", func(o *SegmenterOptions) { o.MinSilence = 0 }},
		{"PreRoll", func(o *SegmenterOptions) { o.PreRoll = -time.Second }},
		{"MaxUtterance", func(o *SegmenterOptions) { o.MaxUtterance = 500 * time.Millisecond }},
	}
	for _, tc := range tests {
		t.Run(tc.field, func(t *testing.T) {
			o := DefaultSegmenterOptions()
			tc.edit(&o)
			_, err := NewSegmenter(o)
			if !errors.Is(err, ErrInvalidOptions) || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("err = %v, want ErrInvalidOptions naming %s", err, tc.field)
			}
		})
	}
	if err := DefaultSegmenterOptions().Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
}

// loadProbs reads a probability sequence recorded from the real Silero
// model (TestRecordSileroProbs).
func loadProbs(t *testing.T, name string) []float32 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var out []float32
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p, err := strconv.ParseFloat(line, 32)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, float32(p))
	}
	return out
}

func endsOf(evs []Event) []Event {
	var out []Event
	for _, e := range evs {
		if e.Kind == SpeechEnd {
			out = append(out, e)
		}
	}
	return out
}

func TestSegmenterRecordedSilero(t *testing.T) {
	// goforward.raw ("go forward ten meters", 2.8 s) with 1 s of silence
	// on each side: one utterance of about 1.7 s of speech.
	evs := runSegmenter(t, DefaultSegmenterOptions(), loadProbs(t, "probs_goforward.txt"))
	ends := endsOf(evs)
	if len(ends) != 1 || ends[0].Speech < 1500*time.Millisecond || ends[0].Speech > 2*time.Second {
		t.Fatalf("goforward: events %v", kinds(evs))
	}
	checkUtterances(t, evs)

	// flite "hello there", 0.8 s of silence, "how are you doing today".
	two := loadProbs(t, "probs_two_utterances.txt")
	evs = runSegmenter(t, DefaultSegmenterOptions(), two)
	if ends := endsOf(evs); len(ends) != 2 || slices.ContainsFunc(evs, func(e Event) bool { return e.Kind == SpeechCancel }) {
		t.Fatalf("two utterances: events %v", kinds(evs))
	}
	checkUtterances(t, evs)
	// A hangover longer than the pause merges them.
	opts := DefaultSegmenterOptions()
	opts.MinSilence = 1500 * time.Millisecond
	if ends := endsOf(runSegmenter(t, opts, two)); len(ends) != 1 {
		t.Fatalf("with a 1.5 s hangover: %d utterances, want 1", len(ends))
	}
}
