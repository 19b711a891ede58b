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
	km := keymap.Default()
	m := New(common.Common{Styles: styles.Default(false), Keys: &km, Now: time.Now})
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

// TestViewTurnLine shows the turn detector's figures once a turn reports
// them, summed over the turns.
func TestViewTurnLine(t *testing.T) {
	km := keymap.Default()
	m := New(common.Common{Styles: styles.Default(false), Keys: &km, Now: time.Now})
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
