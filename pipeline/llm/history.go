package llm

import (
	"strings"
	"unicode/utf8"

	"github.com/openai/openai-go/v3"
)

// interruptedNote ends an assistant reply the user cut short, so the model
// knows that the rest was never heard.
const interruptedNote = "… [interrupted by the user]"

// buildMessages returns what is sent to the server: the system prompt and
// history's system messages, then as many of the latest turns as fit in
// budget characters, then the latest user message (always kept, as are the
// system messages, even over budget). Older turns go first, whole, so the
// conversation never starts with a dangling answer.
func buildMessages(system string, history []Message, budget int) ([]Message, error) {
	pinned, conv := partition(system, history)
	last := lastUser(conv)
	if last < 0 {
		return nil, ErrNoUserMessage
	}
	used := chars(pinned) + chars(conv[last:])
	turns := splitTurns(conv[:last])
	keep := len(turns)
	for keep > 0 && used+chars(turns[keep-1]) <= budget {
		used += chars(turns[keep-1])
		keep--
	}
	out := pinned
	for _, t := range turns[keep:] {
		out = append(out, t...)
	}
	return append(out, conv[last:]...), nil
}

// partition separates system messages from the conversation, rewriting
// interrupted replies and dropping empty ones.
func partition(system string, history []Message) (pinned, conv []Message) {
	if system != "" {
		pinned = append(pinned, Message{Role: RoleSystem, Content: system})
	}
	for _, m := range history {
		switch {
		case m.Role == RoleSystem:
			pinned = append(pinned, m)
		case m.Role == RoleAssistant && m.Interrupted:
			conv = append(conv, Message{Role: RoleAssistant, Content: interrupted(m.Content)})
		case m.Role == RoleAssistant && strings.TrimSpace(m.Content) == "":
		default:
			conv = append(conv, m)
		}
	}
	return pinned, conv
}

// interrupted is what the model is told it said before the user cut in.
func interrupted(said string) string {
	said = strings.TrimRight(strings.TrimSpace(said), " .…,;:-—")
	if said == "" {
		return "[interrupted by the user before I said anything]"
	}
	return said + interruptedNote
}

func lastUser(conv []Message) int {
	for i := len(conv) - 1; i >= 0; i-- {
		if conv[i].Role == RoleUser {
			return i
		}
	}
	return -1
}

// splitTurns groups messages into turns, each starting at a user message.
func splitTurns(conv []Message) [][]Message {
	var turns [][]Message
	for i, m := range conv {
		if i == 0 || m.Role == RoleUser {
			turns = append(turns, nil)
		}
		turns[len(turns)-1] = append(turns[len(turns)-1], m)
	}
	return turns
}

func chars(msgs []Message) int {
	n := 0
	for _, m := range msgs {
		n += utf8.RuneCountInString(m.Content)
	}
	return n
}

// toParams converts messages to the client library's request form.
func toParams(msgs []Message) []openai.ChatCompletionMessageParamUnion {
	out := make([]openai.ChatCompletionMessageParamUnion, 0, len(msgs))
	for _, m := range msgs {
		switch m.Role {
		case RoleSystem:
			out = append(out, openai.SystemMessage(m.Content))
		case RoleAssistant:
			out = append(out, openai.AssistantMessage(m.Content))
		default:
			out = append(out, openai.UserMessage(m.Content))
		}
	}
	return out
}
