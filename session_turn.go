package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"parley/audio"
	"parley/config"
	"parley/models"
	"parley/pipeline"
	"parley/pipeline/turn"
)

// turnModelPath is turn.model or the file `parley models pull
// smart-turn-v3` installs.
func turnModelPath(cfg config.Config) string {
	if cfg.Turn.Model != "" {
		return cfg.Turn.Model
	}
	return models.SmartTurnPath()
}

// chooseTurn applies turn.detector: Smart Turn v3 when asked for (or, with
// auto, when its model is there and ONNX Runtime loaded), else the text
// detector.
func (s *session) chooseTurn() (modelChoice, error) {
	text := modelChoice{engine: "text", reason: `text detector (turn.detector = "text")`}
	if s.cfg.Turn.Detector == "text" {
		return text, nil
	}
	path := turnModelPath(s.cfg)
	var problem error
	if _, err := os.Stat(path); err != nil {
		problem = fmt.Errorf("the Smart Turn model is missing: %s (parley models pull smart-turn-v3, or set turn.model)", path)
	} else if s.rt == nil {
		problem = fmt.Errorf("Smart Turn needs ONNX Runtime: %w", errNoONNX)
	}
	if problem == nil {
		return modelChoice{engine: "smart-turn", onnx: path, reason: "Smart Turn v3 at " + path}, nil
	}
	if s.cfg.Turn.Detector == "smart-turn" {
		return modelChoice{}, fmt.Errorf("turn.detector = \"smart-turn\": %w", problem)
	}
	text.reason = "text detector, because " + problem.Error()
	return text, nil
}

// openTurn builds the chosen turn detector; Smart Turn runs as the gpu
// manager's "turn" model, on the CPU or a GPU like the others.
func (s *session) openTurn(ctx context.Context, _ options) error {
	opts := turn.Options{MinSilence: s.cfg.Turn.MinSilence.Duration, MaxSilence: s.cfg.Turn.MaxSilence.Duration}
	defer func() { s.note("turn: %s", s.turnChoice.reason) }()
	if s.turnChoice.engine != "smart-turn" {
		d, err := turn.NewText(opts)
		if err != nil {
			return fmt.Errorf("turn detector: %w", err)
		}
		s.turn = d
		return nil
	}
	model, err := s.gpus.Model("turn")
	if err != nil {
		return err
	}
	d, err := turn.NewSmartTurn(ctx, model, opts)
	if err != nil {
		return fmt.Errorf("Smart Turn model %s (turn.model): %w", s.turnChoice.onnx, err)
	}
	s.turn = d
	return nil
}

// liveSegmenterOptions are the [vad] segmenter options for the live
// conversation: the turn detector ends turns, so the segmenter's hangover
// is turn.max_silence, and it reports a pause at turn.speculate_after (or
// turn.min_silence without speculation).
func liveSegmenterOptions(cfg config.Config) audio.SegmenterOptions {
	o := segmenterOptions(cfg)
	o.MinSilence = cfg.Turn.MaxSilence.Duration
	o.PauseAfter = cfg.Turn.SpeculateAfter.Duration
	if o.PauseAfter == 0 {
		o.PauseAfter = cfg.Turn.MinSilence.Duration
	}
	if o.PauseAfter >= o.MinSilence {
		o.PauseAfter = 0 // min_silence = max_silence: the hangover is the turn's end
	}
	return o
}

// latencySpeaker is a speakerAdapter that reports the device buffer's
// latency: two device periods, the callback being filled and the one
// playing.
type latencySpeaker struct {
	speakerAdapter
}

// Latency implements the pipeline's optional device-latency report.
func (a latencySpeaker) Latency() time.Duration {
	rate := a.sp.SampleRate()
	if rate <= 0 {
		return 0
	}
	return 2 * time.Duration(a.sp.CallbackFrames()) * time.Second / time.Duration(rate)
}

// turnSegment converts the segmenter's pause events.
func turnSegment(ev audio.Event) (pipeline.Segment, bool) {
	switch ev.Kind {
	case audio.SpeechPause:
		return pipeline.Segment{Kind: pipeline.SegmentPause, Silence: ev.Silence}, true
	case audio.SpeechResume:
		return pipeline.Segment{Kind: pipeline.SegmentResume}, true
	}
	return pipeline.Segment{}, false
}
