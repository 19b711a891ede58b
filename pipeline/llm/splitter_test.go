package llm_test

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"parley/pipeline/llm"
)

// splitWhole splits text pushed as one delta.
func splitWhole(text string, opts llm.SplitterOptions) []string {
	s := llm.NewSplitter(opts)
	return append(s.Push(text), s.Flush()...)
}

// splitPieces splits text pushed as the given deltas.
func splitPieces(deltas []string, opts llm.SplitterOptions) []string {
	s := llm.NewSplitter(opts)
	var out []string
	for _, d := range deltas {
		out = append(out, s.Push(d)...)
	}
	return append(out, s.Flush()...)
}

var noClause = llm.SplitterOptions{FirstClauseChars: -1}

func TestSplitterSentences(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"plain", "Hello there. How are you? I'm fine!", []string{"Hello there.", "How are you?", "I'm fine!"}},
		{"abbreviations", "See e.g. the docs. Dr. Smith met Mr. and Mrs. Jones vs. the U.S. team. Done.",
			[]string{"See e.g. the docs.", "Dr. Smith met Mr. and Mrs. Jones vs. the U.S. team.", "Done."}},
		{"i.e. and etc.", "Use tools, i.e. editors. Apples, pears, etc. and more. We had fruit etc. Then we left.",
			[]string{"Use tools, i.e. editors.", "Apples, pears, etc. and more.", "We had fruit etc.", "Then we left."}},
		{"decimals", "Pi is 3.14 roughly. It costs 2.50. Next.", []string{"Pi is 3.14 roughly.", "It costs 2.50.", "Next."}},
		{"thousands", "We have 1,000 users, 25,000 rows. Good.", []string{"We have 1,000 users, 25,000 rows.", "Good."}},
		{"versions", "Upgrade to v1.2.3 or Go 1.22.1 now. Then rebuild.", []string{"Upgrade to v1.2.3 or Go 1.22.1 now.", "Then rebuild."}},
		{"url", "Visit https://go.dev/doc/install?x=1.2&y=a.b for details. Or http://example.com. Bye.",
			[]string{"Visit https://go.dev/doc/install?x=1.2&y=a.b for details.", "Or http://example.com.", "Bye."}},
		{"email", "Write to jane.doe@example.co.uk today. Thanks.", []string{"Write to jane.doe@example.co.uk today.", "Thanks."}},
		{"paths", "Edit ~/.config/parley/config.toml and ./cmd/main.go first. Then run it.",
			[]string{"Edit ~/.config/parley/config.toml and ./cmd/main.go first.", "Then run it."}},
		{"inline code", "Run `go test ./... -run X. -v` now. Then `a. b` too.", []string{"Run go test ./... -run X. -v now.", "Then a. b too."}},
		{"ellipsis", "Well… maybe. Or... not!", []string{"Well…", "maybe.", "Or...", "not!"}},
		{"quotes after end", `He said "stop." Then "go!" she said.`, []string{`He said "stop."`, `Then "go!"`, `she said.`}},
		{"cjk", "你好。今天天气很好！你呢？好的", []string{"你好。", "今天天气很好！", "你呢？", "好的"}},
		{"list numbers", "Steps:\n1. Install Go.\n2. Run it.", []string{"Steps:", "1. Install Go.", "2. Run it."}},
		{"initials", "J. R. R. Tolkien wrote it. Yes.", []string{"J. R. R. Tolkien wrote it.", "Yes."}},
		{"no. before digit", "See No. 5 here. No. I won't.", []string{"See No. 5 here.", "No.", "I won't."}},
		{"link text kept whole", "Read [the Go. Docs](https://go.dev/a. b) today. Now.", []string{"Read the Go. Docs today.", "Now."}},
		{"no final punctuation", "Almost done", []string{"Almost done"}},
		{"emoji dropped", "Great job 🎉! Keep going 👍🏽 now. 🚀", []string{"Great job!", "Keep going now."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitWhole(tt.text, noClause)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("split %q\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestSplitterFirstClause(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string
	}{
		{"early cut at a comma past 40 chars",
			"When you want to build the project quickly, run make, then test it, twice. Fine, good.",
			[]string{"When you want to build the project quickly,", "run make, then test it, twice.", "Fine, good."}},
		{"short clause not cut", "Yes, sure, of course. Next, then.", []string{"Yes, sure, of course.", "Next, then."}},
		{"colon and semicolon", "This is a rather long opening clause here: and the rest. End.",
			[]string{"This is a rather long opening clause here:", "and the rest.", "End."}},
		{"em dash needs no blank", "This is a rather long opening clause here—and the rest.",
			[]string{"This is a rather long opening clause here—", "and the rest."}},
		{"cjk comma", "这是一个很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长的句子，然后继续。",
			[]string{"这是一个很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长的句子，", "然后继续。"}},
		{"number comma not a clause", "The total over all the servers we have is 1,000,000 rows. Ok.",
			[]string{"The total over all the servers we have is 1,000,000 rows.", "Ok."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitWhole(tt.text, llm.SplitterOptions{FirstClauseChars: 40})
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("split %q\n got %q\nwant %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestSplitterFences(t *testing.T) {
	text := "Here is the code:\n```go\nfunc main() {\n\tfmt.Println(\"a. b. c.\")\n}\n```\nRun it. Then:\n" +
		"```\nmore. code\n```\n```sh\nls\n```\nDone."
	want := []string{"Here is the code:", "I've put the code on screen.", "Run it.", "Then:", "I've put the code on screen.", "Done."}
	if got := splitWhole(text, noClause); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	// The note comes as soon as the fence opens, before the code ends.
	s := llm.NewSplitter(llm.SplitterOptions{CodeNote: "Code's on screen."})
	if got := s.Push("Look.\n```python\nprint(1)\n"); !reflect.DeepEqual(got, []string{"Look.", "Code's on screen."}) {
		t.Errorf("at the fence: %q", got)
	}
	for range 1000 {
		if got := s.Push("x = 1. y = 2\n"); got != nil {
			t.Fatalf("code spoken: %q", got)
		}
	}
	if got := append(s.Push("```\nAfter."), s.Flush()...); !reflect.DeepEqual(got, []string{"After."}) {
		t.Errorf("after the fence: %q", got)
	}
}

func TestSplitterUnclosedFence(t *testing.T) {
	got := splitWhole("Code:\n```\nx. y.\n", noClause)
	if want := []string{"Code:", llm.DefaultCodeNote}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	// Flush readies the splitter for the next reply.
	s := llm.NewSplitter(noClause)
	s.Push("```\nx\n")
	s.Flush()
	if got := append(s.Push("Fresh start. "), s.Flush()...); !reflect.DeepEqual(got, []string{"Fresh start."}) {
		t.Errorf("next reply: %q", got)
	}
}

func TestSplitterMaxChars(t *testing.T) {
	text := strings.Repeat("word ", 30) + "end."
	got := splitWhole(text, llm.SplitterOptions{FirstClauseChars: -1, MaxChars: 50})
	if len(got) < 3 {
		t.Fatalf("got %d units, want the long sentence cut: %q", len(got), got)
	}
	for _, u := range got {
		if utf8.RuneCountInString(u) > 50 {
			t.Errorf("unit of %d chars: %q", utf8.RuneCountInString(u), u)
		}
		if strings.HasPrefix(u, "ord") || strings.HasSuffix(u, "wor") {
			t.Errorf("cut inside a word: %q", u)
		}
	}
	if strings.Join(got, " ") != strings.TrimSpace(text) {
		t.Errorf("units lose text: %q", got)
	}
}

// propertyTexts are split at every byte, and byte by byte, and must give
// the units of the whole text.
var propertyTexts = []string{
	"Hello there. How are you? I'm fine!",
	"When you want to build the project quickly, run make, then test it. Done.",
	"See e.g. the docs, Dr. Smith. We had fruit etc. Then 3.14 and 1,000 and v1.2.3. Bye.",
	"Visit https://go.dev/doc. Mail jane.doe@example.com. Edit ~/.config/x.toml. Ok.",
	"Run `go test ./... -run X. -v` now. [Go. Docs](https://go.dev/a. b) here.",
	"Here is the code:\n```go\nfunc main() {}\n```\nRun it. Then ``` inline ``` too.\n```\nx\n```",
	"你好。今天天气很好！这是一个很长很长很长很长很长很长很长很长很长很长很长很长的句子，然后继续。",
	"Great job 🎉! Keep going 👍🏽 now. **Bold.** _Italic_ and ~~gone~~. 🚀",
	"## Steps\n1. Install Go.\n2. Run it.\n- item one\n- item two\n| a | b |\n|---|---|\n| 1 | 2 |",
	"Well… maybe... \"Quoted.\" (Parens.) No. 5 and No. I won't. Mr. X. J. R. R. Tolkien.",
}

func TestSplitterDeltaBoundaries(t *testing.T) {
	for _, opts := range []llm.SplitterOptions{{}, noClause, {MaxChars: 30}} {
		for _, text := range propertyTexts {
			want := splitWhole(text, opts)
			for i := 1; i < len(text); i++ {
				if got := splitPieces([]string{text[:i], text[i:]}, opts); !reflect.DeepEqual(got, want) {
					t.Fatalf("split at byte %d of %q:\n got %q\nwant %q", i, text, got, want)
				}
			}
			if got := splitPieces(strings.Split(text, ""), opts); !reflect.DeepEqual(got, want) {
				t.Errorf("rune by rune %q:\n got %q\nwant %q", text, got, want)
			}
			if got := splitPieces(bytesOf(text), opts); !reflect.DeepEqual(got, want) {
				t.Errorf("byte by byte %q:\n got %q\nwant %q", text, got, want)
			}
		}
	}
}

func bytesOf(s string) []string {
	out := make([]string, len(s))
	for i := range len(s) {
		out[i] = s[i : i+1]
	}
	return out
}

func TestSpeakable(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"emphasis", "This is **very** _important_ and *so* __is__ ~~this~~.", "This is very important and so is this."},
		{"heading", "## Getting started ##", "Getting started"},
		{"bullet", "- first item", "first item"},
		{"star bullet", "* second", "second"},
		{"task", "- [x] done thing", "done thing"},
		{"quote", "> quoted text", "quoted text"},
		{"link", "See [the docs](https://go.dev) and ![a logo](x.png).", "See the docs and a logo."},
		{"reference link", "See [the docs][1] now.", "See the docs now."},
		{"autolink", "Go to <https://go.dev>.", "Go to https://go.dev."},
		{"inline code", "Call `fmt.Println` here.", "Call fmt.Println here."},
		{"snake case kept", "Set max_tokens to 2*3 or 2 * 3.", "Set max_tokens to 2*3 or 2 * 3."},
		{"emoji", "Done ✅ 🎉 👨‍👩‍👧 🇩🇪!", "Done!"},
		{"keycap", "Press 1️⃣ now", "Press 1 now"},
		{"rule", "---", ""},
		{"table separator", "|---|:---:|", ""},
		{"table row", "| Name | Value |", "Name, Value"},
		{"only emoji", "🚀🔥", ""},
		{"dotfile kept", "Use .env files", "Use .env files"},
		{"cjk", "你好，世界！", "你好，世界！"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := llm.Speakable(tt.in); got != tt.want {
				t.Errorf("Speakable(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSpeakableUnits(t *testing.T) {
	got := llm.SpeakableUnits("One. Two.", llm.SplitterOptions{})
	if !reflect.DeepEqual(got, []string{"One.", "Two."}) {
		t.Errorf("got %q", got)
	}
}
