package ui

import (
	"fmt"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"parley/pipeline"
	"parley/ui/common"
)

// longConversation is a model holding n turns of conversation and metrics.
func longConversation(b *testing.B, turns, w, h int) Model {
	m := loaded(b, w, h)
	for i := 1; i <= turns; i++ {
		turn := pipeline.TurnID(10 + i)
		m = step(m, common.EventMsg{Event: ev(pipeline.KindHeard, turn, fmt.Sprintf("question number %d about something fairly long to wrap", i))})
		m = step(m, common.EventMsg{Event: ev(pipeline.KindAnswer, turn, "an answer that goes on for a while, long enough to wrap over two or three lines of the conversation pane at these sizes")})
		m = step(m, common.EventMsg{Event: metricsEv(turn, 1+float64(i%7)/10)})
	}
	return step(m, tea.WindowSizeMsg{Width: w, Height: h})
}

func BenchmarkView(b *testing.B) {
	for _, s := range [][2]int{{80, 24}, {120, 40}, {160, 48}} {
		b.Run(fmt.Sprintf("%dx%d", s[0], s[1]), func(b *testing.B) {
			m := longConversation(b, 1000, s[0], s[1])
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

// BenchmarkDelta is the cost of one streamed reply delta (Update + View).
func BenchmarkDelta(b *testing.B) {
	m := longConversation(b, 1000, 120, 40)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		i++ // a new reply every 100 deltas, as in a real conversation
		m = step(m, common.EventMsg{Event: ev(pipeline.KindAnswerDelta, pipeline.TurnID(5000+i/100), "word ")})
		_ = m.View()
	}
}
