package app

import (
	"context"
	"fmt"

	"parley/audio"
	"parley/config"
	"parley/pipeline"
	"parley/pipeline/turn"
)

// ChooseTurn applies turn.detector: Smart Turn v3 when asked for (or, with
// auto, when its model is there and ONNX Runtime loaded, and it did not
// fail to load), else the text detector, which needs nothing.
func ChooseTurn(cfg config.Config, f Facts) (Choice, error) {
	if cfg.Turn.Detector == "text" {
		return Choice{Engine: "text", Reason: `text detector (turn.detector = "text")`}, nil
	}
	path := cfg.Turn.Model
	if path == "" {
		path = f.SmartTurnModel
	}
	var problem error
	switch {
	case f.Broken["smart-turn"] != nil && cfg.Turn.Detector == "auto":
		problem = f.Broken["smart-turn"]
	case !f.Exists(path):
		problem = fmt.Errorf("the Smart Turn model is missing: %s (parley models pull smart-turn-v3, or set turn.model)", path)
	case !f.ONNX:
		problem = fmt.Errorf("Smart Turn needs ONNX Runtime: %w", errNoONNX)
	default:
		return Choice{Engine: "smart-turn", Files: Files{ONNX: path}, Reason: "Smart Turn v3 at " + path}, nil
	}
	if cfg.Turn.Detector == "smart-turn" {
		return Choice{}, fmt.Errorf("turn.detector = \"smart-turn\": %w", problem)
	}
	return Choice{Engine: "text", Reason: "text detector, because " + problem.Error()}, nil
}

// turnEngines are the turn detectors in auto's order, for labels and
// doctor (ChooseTurn decides).
func turnEngines() []engine {
	return []engine{{name: "smart-turn", label: "Smart Turn"}, {name: "text", label: "text detector"}}
}

// newTurn builds the chosen turn detector; Smart Turn runs as the gpu
// manager's "turn" model, on the CPU or a GPU like the other models.
func (e *Engines) newTurn(ctx context.Context) (turn.Detector, error) {
	t := e.Config.Turn
	opts := turn.Options{MinSilence: t.MinSilence.Duration, MaxSilence: t.MaxSilence.Duration}
	c := e.Choices.Turn
	if c.Engine != "smart-turn" {
		return turn.NewText(opts)
	}
	model, err := e.GPUs.Model("turn")
	if err != nil {
		return nil, err
	}
	d, err := turn.NewSmartTurn(ctx, model, opts)
	if err != nil {
		return nil, fmt.Errorf("Smart Turn model %s (turn.model): %w", c.Files.ONNX, err)
	}
	return d, nil
}

// LiveSegmenterOptions are the segmenter's options for the live
// conversation: the turn detector ends turns, so the segmenter's hangover
// is only the longest wait (turn.max_silence), and it reports a pause at
// turn.speculate_after (turn.min_silence without speculation). parley
// transcribe cuts files with SegmenterOptions (vad.min_silence) instead.
func LiveSegmenterOptions(cfg config.Config) audio.SegmenterOptions {
	o := SegmenterOptions(cfg.VAD)
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
