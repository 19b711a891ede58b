package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"parley/ui/clipboard"
	"parley/ui/common"
	"parley/ui/input"
	"parley/ui/keymap"
	"parley/ui/markdown"
	"parley/ui/picker"
)

// resultMsg is the result of a Controller call or a copy, made in a
// command; it applies itself to the model and may ask for more.
type resultMsg interface {
	apply(m *Model) tea.Cmd
}

// handleResult applies a result and lays the screen out again (an input
// may have opened or closed).
func (m Model) handleResult(msg resultMsg) (tea.Model, tea.Cmd) {
	cmd := msg.apply(&m)
	m.relayout()
	return m, cmd
}

// hint is the first-turn hint under an empty conversation, naming the
// configured keys.
func hint(c common.Common) string {
	k := func(action string) string {
		b, _ := c.Keys.Binding(action)
		if len(b.Keys()) == 0 {
			return "?"
		}
		return keymap.DisplayKey(b.Keys()[0])
	}
	dot := " " + c.Styles.Glyphs.Dot + " "
	return k(keymap.PushToTalk) + " to talk" + dot + k(keymap.Type) + " to type" + dot + k(keymap.Help) + " for help"
}

// openInput shows the text input holding text, if typing is possible.
func (m Model) openInput(text string) (tea.Model, tea.Cmd) {
	if m.opts.Controller == nil {
		m.status.SetError(errors.New("typing: unavailable: " + m.disabled["toggle"]))
		return m, nil
	}
	cmd := m.input.Open(text)
	m.relayout()
	return m, cmd
}

// inputKey gives a key to the open input; Enter sends the text.
func (m Model) inputKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	var out input.Outcome
	var cmd tea.Cmd
	m.input, out, cmd = m.input.HandleKey(k)
	m.relayout()
	if out.Submit == "" {
		return m, cmd
	}
	m.status.SetNotice("sending" + m.common.Styles.Glyphs.Ellipsis)
	return m, tea.Batch(cmd, submitCmd(m.opts.Controller, out.Submit, m.opts))
}

// textSubmittedMsg reports a typed turn handed to the pipeline.
type textSubmittedMsg struct {
	text string
	err  error
}

// apply implements resultMsg: on failure the text comes back into the
// input, so nothing typed is lost.
func (r textSubmittedMsg) apply(m *Model) tea.Cmd {
	if r.err == nil {
		m.status.ClearMessage()
		return nil
	}
	m.status.SetError(fmt.Errorf("send: %w", r.err))
	if m.input.IsOpen() {
		return nil
	}
	return m.input.Open(r.text)
}

// submitCmd sends a typed turn through the controller.
func submitCmd(c Controller, text string, o Options) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), o.RequestTimeout)
		defer cancel()
		return textSubmittedMsg{text: text, err: c.SubmitText(ctx, text)}
	}
}

// copyLast copies the last answer's last code block, or the whole answer
// when it has none.
func (m Model) copyLast() (tea.Model, tea.Cmd) {
	answer := m.conv.LastAnswer()
	if strings.TrimSpace(answer) == "" {
		m.status.SetError(errors.New("copy: no answer yet"))
		return m, nil
	}
	if blocks := markdown.CodeBlocks(answer); len(blocks) > 0 {
		last := blocks[len(blocks)-1]
		return m, copyCmd(m.opts.Clipboard, last.Code, "code block")
	}
	return m, copyCmd(m.opts.Clipboard, answer, "answer")
}

// openCopyPicker lists the last answer's code blocks to copy one.
func (m Model) openCopyPicker() (tea.Model, tea.Cmd) {
	blocks := markdown.CodeBlocks(m.conv.LastAnswer())
	if len(blocks) == 0 {
		m.status.SetError(errors.New("copy: the last answer has no code block"))
		return m, nil
	}
	m.picker.Open(pickCode, "copy a code block")
	items := make([]picker.Item, len(blocks))
	for i, b := range blocks {
		items[i] = picker.Item{Title: codeTitle(i, b), Detail: firstLine(b.Code), Value: b.Code}
	}
	m.picker.SetItems(items)
	return m, nil
}

// codeTitle names a code block in the picker: "2. go, 12 lines".
func codeTitle(i int, b markdown.CodeBlock) string {
	lang := b.Lang
	if lang == "" {
		lang = "code"
	}
	return fmt.Sprintf("%d. %s, %s", i+1, lang, plural(b.Lines(), "line"))
}

// firstLine is the first non-blank line of s, trimmed.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); t != "" {
			return t
		}
	}
	return ""
}

// plural is "1 line", "12 lines".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// doneMsg reports a finished action in the status line: its error, else
// its notice.
type doneMsg struct {
	notice string
	err    error
}

// done is the doneMsg of an action; what names the action in its error.
func done(notice, what string, err error) doneMsg {
	if err != nil {
		return doneMsg{err: fmt.Errorf("%s: %w", what, err)}
	}
	return doneMsg{notice: notice}
}

// apply implements resultMsg.
func (r doneMsg) apply(m *Model) tea.Cmd {
	if r.err != nil {
		m.status.SetError(r.err)
		return nil
	}
	m.status.SetNotice(r.notice)
	return nil
}

// copyCmd writes text to the clipboard; the status line confirms with the
// number of lines and what was copied.
func copyCmd(w clipboard.Writer, text, what string) tea.Cmd {
	return func() tea.Msg {
		notice := fmt.Sprintf("copied %s (%s)", plural(markdown.LineCount(text), "line"), what)
		return done(notice, "copy", w(text))
	}
}
