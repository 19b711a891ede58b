package stages

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"parley/pipeline"
	"parley/ui/common"
	"parley/ui/keymap"
	"parley/ui/styles"
)

func init() {
	lipgloss.SetColorProfile(termenv.Ascii)
}

func TestPercentiles(t *testing.T) {
	var s series
	s.spark = common.NewSparkline(10)
	for i := 1; i <= 100; i++ {
		s.push(float64(i))
	}
	s.push(0) // unmeasured: ignored
	// The interpolated percentiles, as bench reports them for the same data.
	if s.last != 100 || s.p50 != 50.5 || s.p95 != 95.05 {
		t.Fatalf("last %v p50 %v p95 %v", s.last, s.p50, s.p95)
	}
}

func TestView(t *testing.T) {
	m := newPane()
	for i := range 12 {
		mt := pipeline.TurnMetrics{SpeechMS: 1500, ASRFinal: 200 + float64(i*10), LLMFirstToken: 400 - float64(i*5),
			TTSFirstAudio: 150, VoiceToVoice: 800 + float64(i%4)*100, TTSRTF: 0.2}
		m, _ = m.Update(common.EventMsg{Event: pipeline.Event{Kind: pipeline.KindMetrics, Metrics: &mt}})
	}
	m, _ = m.Update(common.EventMsg{Event: pipeline.Event{Kind: pipeline.KindState, State: pipeline.StateAnswering}})
	var out string
	for _, s := range [][2]int{{60, 1}, {46, 9}, {46, 14}} {
		m.SetSize(s[0], s[1])
		out += m.View() + "\n"
	}
	golden.RequireEqual(t, []byte(out))
}

// TestViewAudioPath: the delay the audio path adds is shown under the
// headline when the pane has a row to spare, as the estimate of what the
// user hears once a turn is measured.
func TestViewAudioPath(t *testing.T) {
	m := newPane()
	page := common.AudioLatency{Path: "browser page", Capture: 30 * time.Millisecond}
	m, _ = m.Update(common.ModelsSampledMsg{Info: common.StatusInfo{Audio: page}})
	m.SetSize(60, 11)
	out := m.View() + "\n"
	mt := pipeline.TurnMetrics{SpeechMS: 1500, ASRFinal: 200, LLMFirstToken: 400, TTSFirstAudio: 150, PlaybackStart: 12, VoiceToVoice: 800}
	m, _ = m.Update(common.EventMsg{Event: pipeline.Event{Kind: pipeline.KindMetrics, Metrics: &mt}})
	page.Playback, page.Measured = 41*time.Millisecond, true
	m, _ = m.Update(common.ModelsSampledMsg{Info: common.StatusInfo{Audio: page}})
	for _, h := range []int{11, 9} { // at 9 rows only the stages fit
		m.SetSize(60, h)
		out += m.View() + "\n"
	}
	golden.RequireEqual(t, []byte(out))
}

// TestAudioPath shows what the device buffers add once the sampled info
// has the figures, and nothing before.
func TestAudioPath(t *testing.T) {
	m := newPane()
	m.SetSize(80, 14)
	if strings.Contains(m.View(), "audio path") {
		t.Fatalf("audio path shown before it is known:\n%s", m.View())
	}
	info := common.StatusInfo{Audio: common.AudioLatency{Path: "device buffers (pulseaudio)", Capture: 200 * time.Millisecond, Playback: 400 * time.Millisecond, Measured: true}}
	m, _ = m.Update(common.ModelsSampledMsg{Info: info})
	if want := "audio path adds in 200ms + out 400ms (device buffers (pulseaudio))"; !strings.Contains(m.View(), want) {
		t.Errorf("view lacks %q:\n%s", want, m.View())
	}
}

// TestViewTurnLine shows the turn detector's figures once a turn reports
// them, summed over the turns.
func TestViewTurnLine(t *testing.T) {
	m := newPane()
	m.SetSize(60, 12)
	if strings.Contains(m.View(), "turn decided") {
		t.Fatal("turn line shown before any turn")
	}
	for _, mt := range []pipeline.TurnMetrics{
		{VoiceToVoice: 300, TurnDecision: 256, SpecStarted: 2, SpecUsed: 1, SpecCancelled: 1},
		{VoiceToVoice: 280, TurnDecision: 250, SpecStarted: 1, SpecUsed: 1},
	} {
		m, _ = m.Update(common.EventMsg{Event: pipeline.Event{Kind: pipeline.KindMetrics, Metrics: &mt}})
	}
	if want := "turn decided 250ms; early answers 2 used, 1 dropped"; !strings.Contains(m.View(), want) {
		t.Errorf("view lacks %q:\n%s", want, m.View())
	}
}

// TestViewEverythingAt80x24: focused in an 80x24 terminal the pane gets 11
// rows; with the audio path, the TTS real-time factor and the turn
// figures all known, each is shown in full beside the five stages.
func TestViewEverythingAt80x24(t *testing.T) {
	m := newPane()
	m.SetSize(80, 11)
	dev := common.AudioLatency{Path: "device buffers (pulseaudio)", Capture: 25 * time.Millisecond, Playback: 19 * time.Millisecond, Measured: true}
	m, _ = m.Update(common.ModelsSampledMsg{Info: common.StatusInfo{Audio: dev}})
	mt := pipeline.TurnMetrics{ASRFinal: 200, LLMFirstToken: 50, TTSFirstAudio: 90, VoiceToVoice: 320, TTSRTF: 0.12, TurnDecision: 256, SpecStarted: 1, SpecUsed: 1}
	m, _ = m.Update(common.EventMsg{Event: pipeline.Event{Kind: pipeline.KindMetrics, Metrics: &mt}})
	view := m.View()
	for _, want := range []string{"heard ~364ms = v2v + in 25ms + out 19ms (device buffers (pulseaudio))", "playback",
		"TTS RTF 0.12 · turn decided 256ms; early answers 1 used, 0 dropped"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
}

// newPane is the pane with the default styles and keys, no measurements.
func newPane() Model {
	km := keymap.Default()
	return New(common.Common{Styles: styles.Default(false), Keys: &km, Now: time.Now})
}
