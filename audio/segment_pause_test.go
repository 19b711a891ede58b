package audio

import (
	"slices"
	"testing"
	"time"
)

// pauseOptions reports a pause after 160 ms (5 frames) and ends an
// utterance after 1.2 s (38 frames).
func pauseOptions() SegmenterOptions {
	o := DefaultSegmenterOptions()
	o.MinSilence, o.PauseAfter = 1200*time.Millisecond, 160*time.Millisecond
	return o
}

func TestSegmenterPauseEvents(t *testing.T) {
	tests := []struct {
		name  string
		opts  SegmenterOptions
		probs []float32
		want  []string
	}{
		{"off by default: a pause is silent until the end", DefaultSegmenterOptions(),
			seq(0.0, 5, 0.9, 20, 0.1, 5, 0.9, 10, 0.0, 12), []string{"start", "speech+", "end:silence"}},
		{"pause, then the end", pauseOptions(),
			seq(0.0, 5, 0.9, 20, 0.0, 40), []string{"start", "speech+", "pause", "speech+", "end:silence"}},
		{"pause, resume, pause, end: one utterance", pauseOptions(),
			seq(0.0, 5, 0.9, 20, 0.0, 20, 0.9, 15, 0.0, 40),
			[]string{"start", "speech+", "pause", "speech+", "resume", "speech+", "pause", "speech+", "end:silence"}},
		{"a gap shorter than PauseAfter is no pause", pauseOptions(),
			seq(0.0, 5, 0.9, 20, 0.0, 4, 0.9, 10, 0.0, 40), []string{"start", "speech+", "pause", "speech+", "end:silence"}},
		{"speech too short to keep: no pause, then cancelled", pauseOptions(),
			seq(0.0, 5, 0.9, 5, 0.0, 40), []string{"start", "speech+", "cancel"}},
		{"frames between the thresholds do not resume", pauseOptions(),
			seq(0.0, 5, 0.9, 20, 0.0, 6, 0.4, 10, 0.0, 30), []string{"start", "speech+", "pause", "speech+", "end:silence"}},
		{"pause, then the input ends", pauseOptions(),
			seq(0.0, 5, 0.9, 20, 0.0, 8), []string{"start", "speech+", "pause", "speech+", "end:flush"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := runSegmenter(t, tt.opts, tt.probs)
			if got := kinds(evs); !slices.Equal(got, tt.want) {
				t.Fatalf("events %v, want %v", got, tt.want)
			}
			checkUtterances(t, evs)
		})
	}
}

// TestSegmenterPauseDetails checks where the events fall: the pause on the
// 5th silent frame, carrying the silence so far; the resume just before the
// frame that resumed, at that frame's offset.
func TestSegmenterPauseDetails(t *testing.T) {
	evs := runSegmenter(t, pauseOptions(), seq(0.0, 5, 0.9, 20, 0.0, 20, 0.9, 15, 0.0, 40))
	pause := slices.IndexFunc(evs, func(e Event) bool { return e.Kind == SpeechPause })
	if p := evs[pause]; p.Silence != 160*time.Millisecond || p.Offset != 30*FrameSize || evs[pause-1].Samples[0] != 29 {
		t.Fatalf("pause: silence %v, offset %d, after frame %v", p.Silence, p.Offset, evs[pause-1].Samples[0])
	}
	resume := slices.IndexFunc(evs, func(e Event) bool { return e.Kind == SpeechResume })
	if r, next := evs[resume], evs[resume+1]; r.Offset != 45*FrameSize || next.Kind != Speech || next.Samples[0] != 45 {
		t.Fatalf("resume at %d, then %v of frame %v", r.Offset, next.Kind, next.Samples[0])
	}
}

// TestSegmenterSplitWhilePaused checks that a max-length split ends the
// paused utterance and that the next one can pause again.
func TestSegmenterSplitWhilePaused(t *testing.T) {
	o := pauseOptions()
	o.MaxUtterance, o.PreRoll = 40*FrameSize*time.Second/SampleRate, 0
	evs := runSegmenter(t, o, seq(0.9, 30, 0.0, 12, 0.9, 20, 0.0, 10))
	want := []string{"start", "speech+", "pause", "speech+", "end:max-length", "start", "speech+", "pause", "speech+", "end:flush"}
	if got := kinds(evs); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}

func TestSegmenterPauseAfterValidate(t *testing.T) {
	for _, d := range []time.Duration{-time.Millisecond, 1200 * time.Millisecond, 2 * time.Second} {
		o := pauseOptions()
		o.PauseAfter = d
		if _, err := NewSegmenter(o); err == nil {
			t.Errorf("PauseAfter %v with MinSilence %v accepted", d, o.MinSilence)
		}
	}
}
