package markdown

import (
	"fmt"
	"strings"
)

// LongAnswer is a Markdown answer of at least n source lines (about as
// many rendered): prose, a Go code block, a list and a table, repeated.
// Benchmarks of the panes that render answers use it.
func LongAnswer(n int) string {
	var sb strings.Builder
	for i := 0; sb.Len() == 0 || strings.Count(sb.String(), "\n") < n; i++ {
		fmt.Fprintf(&sb, "## Part %d\n\nThe **pipeline** streams the reply and speaks each sentence as soon as it is complete.\n\n", i)
		fmt.Fprintf(&sb, "```go\nfunc part%d(ctx context.Context) error {\n\tfor range 3 {\n\t\tif err := step(ctx); err != nil {\n\t\t\treturn fmt.Errorf(\"step: %%w\", err)\n\t\t}\n\t}\n\treturn nil\n}\n```\n\n", i)
		sb.WriteString("- listen\n- answer\n- speak\n\n| stage | p50 |\n|---|---|\n| ASR | 210ms |\n| TTS | 160ms |\n\n")
	}
	return sb.String()
}
