package markdown

import (
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// CodeBlock is one code block of an answer, as written (not rendered).
type CodeBlock struct {
	// Lang is the fence's language ("go"), or "".
	Lang string
	// Code is the block's text, ending without a newline.
	Code string
}

// Lines is the number of lines of the block.
func (b CodeBlock) Lines() int {
	return LineCount(b.Code)
}

// LineCount is the number of lines of s ("" has none).
func LineCount(s string) int {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return 0
	}
	return strings.Count(s, "\n") + 1
}

// CodeBlocks returns the fenced and indented code blocks of src in order.
// A fence still open (an answer streaming in) yields what it holds so far.
func CodeBlocks(src string) []CodeBlock {
	source := []byte(src)
	doc := goldmark.New().Parser().Parse(text.NewReader(source))
	var out []CodeBlock
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch b := n.(type) {
		case *ast.FencedCodeBlock:
			out = append(out, CodeBlock{Lang: string(b.Language(source)), Code: blockText(b, source)})
			return ast.WalkSkipChildren, nil
		case *ast.CodeBlock:
			out = append(out, CodeBlock{Code: blockText(b, source)})
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return out
}

// blockText joins a code block's lines.
func blockText(n ast.Node, source []byte) string {
	var sb strings.Builder
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		sb.Write(seg.Value(source))
	}
	return strings.TrimRight(sb.String(), "\n")
}
