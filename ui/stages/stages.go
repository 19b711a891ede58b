// Package stages is the pipeline pane: for each stage (VAD, ASR, LLM, TTS,
// playback) its state, last latency, p50/p95 and a sparkline, under the
// headline number, voice-to-voice latency.
package stages

import (
	tea "github.com/charmbracelet/bubbletea"

	"parley/internal/stats"
	"parley/pipeline"
	"parley/ui/common"
)

// historyLen is how many turns the statistics and sparklines cover.
const historyLen = 120

// Stage indexes, in pipeline order; voiceToVoice is the headline.
const (
	stageVAD = iota
	stageASR
	stageLLM
	stageTTS
	stagePlayback
	voiceToVoice
	numSeries
)

// stageNames are the row labels.
var stageNames = [numSeries]string{"VAD", "ASR", "LLM", "TTS", "playback", "voice-to-voice"}

// series is the history of one latency.
type series struct {
	last, p50, p95 float64
	spark          common.Sparkline
	vals           []float64
}

// push records one measurement (ms); unmeasured (0) values are skipped.
func (s *series) push(v float64) {
	if v <= 0 {
		return
	}
	s.last = v
	s.spark.Push(v)
	s.vals = append(s.vals, v)
	if len(s.vals) > historyLen {
		s.vals = append(s.vals[:0:0], s.vals[len(s.vals)-historyLen:]...)
	}
	s.p50, s.p95 = stats.Quantile(s.vals, 0.50), stats.Quantile(s.vals, 0.95)
}

// Model is the pipeline pane.
type Model struct {
	common  common.Common
	act     common.Activity
	turns   int
	lastRTF float64
	series  [numSeries]series
	audio   common.AudioLatency // what the audio path adds, sampled with the engine info
	spec    specCounts
}

// specCounts sums the turn detector's figures over the turns: the last
// decision delay and the speculative answers used and dropped.
type specCounts struct {
	lastDecision       float64
	used, cancelled, n int
}

// New returns the pane with no measurements.
func New(c common.Common) Model {
	m := Model{common: c, act: common.Activity{State: pipeline.StateListening}}
	for i := range m.series {
		m.series[i].spark = common.NewSparkline(historyLen)
	}
	return m
}

// SetSize sets the pane's outer size.
func (m *Model) SetSize(w, h int) {
	m.common.SetSize(w, h)
}

// SetFocused marks the pane as focused or not.
func (m *Model) SetFocused(f bool) {
	m.common.Focused = f
}

// Update folds state, speech and metrics events into the pane, and keeps
// the audio path's latency from each engine-info sample.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case common.EventMsg:
		m.apply(msg.Event)
	case common.PipelineStoppedMsg:
		m.act.Stop()
	case common.ModelsSampledMsg:
		m.audio = msg.Info.Audio
	}
	return m, nil
}

// apply folds one event into the pane.
func (m *Model) apply(ev pipeline.Event) {
	m.act.Apply(ev)
	if ev.Kind == pipeline.KindMetrics && ev.Metrics != nil {
		m.record(*ev.Metrics)
	}
}

// record adds one turn's latencies.
func (m *Model) record(t pipeline.TurnMetrics) {
	m.turns++
	vals := [numSeries]float64{t.SpeechMS, t.ASRFinal, t.LLMFirstToken, t.TTSFirstAudio, t.PlaybackStart, t.VoiceToVoice}
	for i, v := range vals {
		m.series[i].push(v)
	}
	if t.TTSRTF > 0 {
		m.lastRTF = t.TTSRTF
	}
	if t.TurnDecision > 0 {
		m.spec.lastDecision = t.TurnDecision
		m.spec.used += t.SpecUsed
		m.spec.cancelled += t.SpecCancelled
		m.spec.n++
	}
}

// stageState says what a stage is doing in the current pipeline state.
func (m Model) stageState(stage int) string {
	switch {
	case m.act.State == pipeline.StateStopped:
		return "stopped"
	case stage == stageVAD && m.act.Speech:
		return "speech"
	case stage == stageVAD && m.act.State == pipeline.StateListening:
		return "listening"
	case stage == stageASR && m.act.State == pipeline.StateTranscribing,
		stage == stageLLM && m.act.State == pipeline.StateAnswering,
		stage == stageTTS && m.act.State == pipeline.StateSpeaking:
		return "busy"
	case stage == stagePlayback && m.act.State == pipeline.StateSpeaking:
		return "playing"
	default:
		return "idle"
	}
}
