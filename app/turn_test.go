package app

import (
	"strings"
	"testing"
	"time"

	"parley/config"
)

func TestChooseTurn(t *testing.T) {
	model := "/cache/smart-turn-v3/smart-turn-v3.2-cpu.onnx"
	tests := []struct {
		name, detector, model string
		d                     disk
		engine, reason, err   string
	}{
		{"auto, installed", "auto", "", disk{onnx: true, files: []string{model}}, "smart-turn", "Smart Turn v3 at " + model, ""},
		{"auto, not installed", "auto", "", disk{onnx: true}, "text", "text detector, because the Smart Turn model is missing", ""},
		{"auto, no ONNX Runtime", "auto", "", disk{files: []string{model}}, "text", "text detector, because Smart Turn needs ONNX Runtime", ""},
		{"text asked for", "text", "", disk{onnx: true, files: []string{model}}, "text", `text detector (turn.detector = "text")`, ""},
		{"turn.model", "smart-turn", "/m/st.onnx", disk{onnx: true, files: []string{"/m/st.onnx"}}, "smart-turn", "Smart Turn v3 at /m/st.onnx", ""},
		{"smart-turn asked for, missing", "smart-turn", "", disk{onnx: true}, "", "", `turn.detector = "smart-turn": the Smart Turn model is missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg config.Config
			cfg.Turn.Detector, cfg.Turn.Model = tt.detector, tt.model
			c, err := ChooseTurn(cfg, tt.d.facts())
			switch {
			case tt.err != "":
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("ChooseTurn = %+v, %v; want error %q", c, err, tt.err)
				}
			case err != nil || c.Engine != tt.engine || !strings.HasPrefix(c.Reason, tt.reason):
				t.Errorf("ChooseTurn = %+v, %v; want %s because %q", c, err, tt.engine, tt.reason)
			}
		})
	}
}

func TestLiveSegmenterOptions(t *testing.T) {
	ms := time.Millisecond
	d := func(v time.Duration) config.Duration { return config.Duration{Duration: v} }
	tests := []struct {
		speculate, min, max, pause time.Duration
	}{
		{128 * ms, 250 * ms, 1200 * ms, 128 * ms},
		{0, 250 * ms, 1200 * ms, 250 * ms}, // no speculation: the pause is at min_silence
		{0, 600 * ms, 600 * ms, 0},         // min = max: no pause, the hangover ends the turn
		{128 * ms, 600 * ms, 600 * ms, 128 * ms},
	}
	for _, tt := range tests {
		var cfg config.Config
		cfg.VAD.MinSilence = d(600 * ms)
		cfg.Turn.SpeculateAfter, cfg.Turn.MinSilence, cfg.Turn.MaxSilence = d(tt.speculate), d(tt.min), d(tt.max)
		o := LiveSegmenterOptions(cfg)
		if o.MinSilence != tt.max || o.PauseAfter != tt.pause {
			t.Errorf("%+v: hangover %s, pause %s; want %s, %s", tt, o.MinSilence, o.PauseAfter, tt.max, tt.pause)
		}
	}
}
