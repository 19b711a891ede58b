package markdown

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"
)

const answer = "Here is a **Go** program:\n\n```go\npackage main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n```\n\n" +
	"| engine | device |\n|---|---|\n| ASR | cuda:0 |\n| TTS | cpu |\n\n- one\n- two, see [the docs](https://example.com/docs)\n"

func TestRenderASCII(t *testing.T) {
	r := New(Options{Profile: termenv.Ascii, Unicode: true})
	lines, err := r.Render(answer, 50)
	if err != nil {
		t.Fatal(err)
	}
	out := strings.Join(lines, "\n")
	if strings.Contains(out, "\x1b") || strings.Contains(out, "```") {
		t.Fatalf("ASCII rendering has escapes or fences:\n%q", out)
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > 50 || strings.HasSuffix(l, " ") {
			t.Errorf("line %q wider than 50 or padded", l)
		}
	}
	golden.RequireEqual(t, []byte(out+"\n"))
}

func TestRenderColourHighlightsCode(t *testing.T) {
	r := New(Options{Profile: termenv.ANSI256, Dark: true, Unicode: true})
	lines, err := r.Render(answer, 60)
	if err != nil {
		t.Fatal(err)
	}
	var code string
	for _, l := range lines {
		if strings.Contains(ansi.Strip(l), "func main") {
			code = l
		}
	}
	if code == "" || !strings.Contains(code, "\x1b[38;5;") {
		t.Fatalf("code line not highlighted: %q", code)
	}
	if strings.Contains(ansi.Strip(strings.Join(lines, "\n")), "```") {
		t.Fatal("fences shown")
	}
}

func TestRenderRewraps(t *testing.T) {
	r := New(Options{Profile: termenv.Ascii, Unicode: true})
	long := strings.Repeat("word ", 40)
	wide, _ := r.Render(long, 100)
	narrow, _ := r.Render(long, 30)
	if len(narrow) <= len(wide) {
		t.Fatalf("narrow %d lines, wide %d", len(narrow), len(wide))
	}
	for _, l := range narrow {
		if ansi.StringWidth(l) > 30 {
			t.Fatalf("line %q over 30 cells", l)
		}
	}
}

func TestASCIIHasNoUnicode(t *testing.T) {
	r := New(Options{Profile: termenv.ANSI, Unicode: false})
	lines, _ := r.Render("- one\n- two\n\n---\n", 40)
	for _, l := range lines {
		for _, c := range ansi.Strip(l) {
			if c > 127 {
				t.Fatalf("non-ASCII %q in %q", c, l)
			}
		}
	}
}

func TestCodeBlocks(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []CodeBlock
	}{
		{"none", "just *text*", nil},
		{"fenced and indented", "a\n\n```go\nx := 1\ny := 2\n```\n\ntext\n\n    indented\n\n~~~\nplain\n~~~\n",
			[]CodeBlock{{"go", "x := 1\ny := 2"}, {"", "indented"}, {"", "plain"}}},
		{"open fence while streaming", "```sh\nmake run\n", []CodeBlock{{"sh", "make run"}}},
		{"in a list", "1. step\n\n   ```\n   go test\n   ```\n", []CodeBlock{{"", "go test"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := CodeBlocks(c.src)
			if len(got) != len(c.want) {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("block %d = %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestLineCount(t *testing.T) {
	for s, want := range map[string]int{"": 0, "a": 1, "a\nb": 2, "a\nb\n": 2} {
		if got := LineCount(s); got != want {
			t.Errorf("LineCount(%q) = %d, want %d", s, got, want)
		}
	}
}

// BenchmarkRender is one render of a 200-line answer at the conversation
// width of a 120x40 screen, as the streaming re-render does.
func BenchmarkRender(b *testing.B) {
	r := New(Options{Profile: termenv.ANSI256, Dark: true, Unicode: true})
	src := LongAnswer(200)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render(src, 66); err != nil {
			b.Fatal(err)
		}
	}
}
