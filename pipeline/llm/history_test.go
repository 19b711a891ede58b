package llm

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func msg(role Role, content string) Message { return Message{Role: role, Content: content} }

func TestBuildMessagesBudget(t *testing.T) {
	long := strings.Repeat("x", 40)
	history := []Message{
		msg(RoleUser, "u1 "+long), msg(RoleAssistant, "a1 "+long),
		msg(RoleUser, "u2 "+long), msg(RoleAssistant, "a2 "+long),
		msg(RoleUser, "u3 "+long), msg(RoleAssistant, "a3 "+long),
		msg(RoleUser, "latest"),
	}
	tests := []struct {
		name   string
		budget int
		want   []string // first words of the messages kept
	}{
		{"all fit", 10000, []string{"sys", "u1", "a1", "u2", "a2", "u3", "a3", "latest"}},
		{"two turns fit", 3 + 6 + 4*43, []string{"sys", "u2", "a2", "u3", "a3", "latest"}},
		{"one turn fits", 3 + 6 + 3*43, []string{"sys", "u3", "a3", "latest"}},
		{"none fits", 5, []string{"sys", "latest"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := buildMessages("sys", history, tt.budget)
			if err != nil {
				t.Fatal(err)
			}
			if heads := firstWords(got); !reflect.DeepEqual(heads, tt.want) {
				t.Errorf("kept %q, want %q", heads, tt.want)
			}
			if len(tt.want) > 2 && chars(got) > tt.budget {
				t.Errorf("%d chars over the budget of %d", chars(got), tt.budget)
			}
		})
	}
}

func firstWords(msgs []Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, strings.Fields(m.Content)[0])
	}
	return out
}

func TestBuildMessagesKeepsSystemAndLatestUser(t *testing.T) {
	huge := strings.Repeat("y", 500)
	history := []Message{msg(RoleSystem, "rules"), msg(RoleUser, "old"), msg(RoleAssistant, "ans"), msg(RoleUser, huge)}
	got, err := buildMessages("prompt", history, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []Message{msg(RoleSystem, "prompt"), msg(RoleSystem, "rules"), msg(RoleUser, huge)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v", got)
	}
}

func TestBuildMessagesInterrupted(t *testing.T) {
	history := []Message{
		msg(RoleUser, "tell me a story"),
		{Role: RoleAssistant, Content: "Once upon a time, ", Interrupted: true},
		msg(RoleUser, "stop"),
		{Role: RoleAssistant, Content: "", Interrupted: true},
		msg(RoleAssistant, "  "),
		msg(RoleUser, "again"),
	}
	got, err := buildMessages("", history, 1000)
	if err != nil {
		t.Fatal(err)
	}
	want := []Message{
		msg(RoleUser, "tell me a story"),
		msg(RoleAssistant, "Once upon a time"+interruptedNote),
		msg(RoleUser, "stop"),
		msg(RoleAssistant, "[interrupted by the user before I said anything]"),
		msg(RoleUser, "again"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestBuildMessagesNoUser(t *testing.T) {
	if _, err := buildMessages("sys", []Message{msg(RoleAssistant, "hi")}, 100); !errors.Is(err, ErrNoUserMessage) {
		t.Errorf("err = %v, want ErrNoUserMessage", err)
	}
}
