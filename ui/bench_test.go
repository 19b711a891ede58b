package ui

import (
	"fmt"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"parley/pipeline"
	"parley/ui/common"
	"parley/ui/conversation"
	"parley/ui/markdown"
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

// answerModel is a 120x40 model whose last answer is a long Markdown reply
// (LongAnswer(200)), rendered in colour as on a real terminal.
func answerModel(b *testing.B) Model {
	f := newFakeDevices()
	m := New(testOptions(f, nil, noGPU))
	md := markdown.New(markdown.Options{Profile: termenv.ANSI256, Dark: true, Unicode: true})
	m.conv = conversation.New(m.common, md)
	m = step(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m = step(m, common.EventMsg{Event: ev(pipeline.KindHeard, 1, "explain the pipeline with code")})
	m = step(m, common.EventMsg{Event: ev(pipeline.KindAnswer, 1, markdown.LongAnswer(200))})
	return m
}

// BenchmarkViewRenderedAnswer is one frame at 120x40 showing the end of a
// 200-line rendered answer (the rendering itself is cached).
func BenchmarkViewRenderedAnswer(b *testing.B) {
	m := answerModel(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
	lines, _ := markdown.New(markdown.Options{Profile: termenv.ANSI256, Dark: true, Unicode: true}).Render(markdown.LongAnswer(200), 63)
	b.ReportMetric(float64(len(lines)), "answer-lines")
}

// BenchmarkStreamRender is one bounded re-render of a growing 200-line
// answer (a render tick after a delta) plus the frame: the streaming cost
// paid at most 10 times a second.
func BenchmarkStreamRender(b *testing.B) {
	m := answerModel(b)
	text := markdown.LongAnswer(200)
	m = step(m, common.EventMsg{Event: ev(pipeline.KindAnswerDelta, 2, text)})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m = step(m, common.EventMsg{Event: ev(pipeline.KindAnswerDelta, 2, " more")})
		m = step(m, conversation.RenderTickMsg{})
		_ = m.View()
	}
}
