// Package markdown renders the assistant's answers as terminal Markdown
// with glamour (highlighted code blocks, lists, tables, links) and finds
// the code blocks in an answer, for copying.
//
// Rendering is kept out of View: the conversation pane renders an answer
// when its text or the width changes and keeps the lines. A TermRenderer is
// costly to build (it compiles its style), so one is kept per width.
package markdown

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/glamour"
	"github.com/charmbracelet/glamour/ansi"
	gstyles "github.com/charmbracelet/glamour/styles"
	"github.com/muesli/termenv"
)

// maxRenderers bounds the renderers kept, one per width seen; a user
// resizing a window passes through many widths.
const maxRenderers = 4

// tabSpaces replaces each tab before rendering.
const tabSpaces = "    "

// Options choose the look of the rendering.
type Options struct {
	// Profile is the terminal's colour profile; termenv.Ascii (NO_COLOR, a
	// dumb terminal) renders plain text without escape sequences.
	Profile termenv.Profile
	// Dark selects the style for a dark background.
	Dark bool
	// Unicode allows Unicode bullets and rules; false renders ASCII only.
	Unicode bool
}

// Renderer renders Markdown at a given width. It is not safe for
// concurrent use; the UI calls it from Update only.
type Renderer struct {
	style     ansi.StyleConfig
	profile   termenv.Profile
	renderers map[int]*glamour.TermRenderer
}

// New returns a renderer for opts.
func New(opts Options) *Renderer {
	return &Renderer{style: styleFor(opts), profile: opts.Profile, renderers: make(map[int]*glamour.TermRenderer)}
}

// styleFor picks glamour's style for opts, without the document margin and
// blank lines around it: the conversation pane places the text itself.
func styleFor(opts Options) ansi.StyleConfig {
	var st ansi.StyleConfig
	switch {
	case opts.Profile == termenv.Ascii || !opts.Unicode:
		st = gstyles.ASCIIStyleConfig
		st.Item.BlockPrefix = "- "
		st.Emph.BlockPrefix, st.Emph.BlockSuffix = "", ""
		st.Strong.BlockPrefix, st.Strong.BlockSuffix = "", ""
		st.ImageText.Format = "Image: {{.text}} ->"
	case opts.Dark:
		st = gstyles.DarkStyleConfig
	default:
		st = gstyles.LightStyleConfig
	}
	zero := uint(0)
	st.Document.Margin = &zero
	st.Document.BlockPrefix, st.Document.BlockSuffix = "", ""
	return st
}

// Render renders src wrapped to width cells and returns its lines, without
// leading or trailing blank lines and without trailing spaces. It returns
// at least one line.
func (r *Renderer) Render(src string, width int) ([]string, error) {
	width = max(width, 8)
	// A tab has no width to the layout; code is indented with them.
	src = strings.ReplaceAll(src, "\t", tabSpaces)
	tr, err := r.renderer(width)
	if err != nil {
		return nil, err
	}
	out, err := tr.Render(src)
	if err != nil {
		return nil, fmt.Errorf("render markdown: %w", err)
	}
	return trimLines(strings.Split(out, "\n")), nil
}

// renderer returns the TermRenderer for width, building it when needed.
func (r *Renderer) renderer(width int) (*glamour.TermRenderer, error) {
	if tr, ok := r.renderers[width]; ok {
		return tr, nil
	}
	tr, err := glamour.NewTermRenderer(
		glamour.WithStyles(r.style),
		glamour.WithColorProfile(r.profile),
		glamour.WithWordWrap(width),
	)
	if err != nil {
		return nil, fmt.Errorf("markdown renderer: %w", err)
	}
	if len(r.renderers) >= maxRenderers {
		clear(r.renderers)
	}
	r.renderers[width] = tr
	return tr, nil
}

// trimLines drops trailing spaces (glamour pads lines to the wrap width)
// and the blank lines before and after the text.
func trimLines(lines []string) []string {
	for i, l := range lines {
		lines[i] = trimRightSpace(l)
	}
	for len(lines) > 1 && isBlank(lines[0]) {
		lines = lines[1:]
	}
	for len(lines) > 1 && isBlank(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	return lines
}
