package llm

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// DefaultConnectHint tells the user how to leave offline mode.
const DefaultConnectHint = "To talk about anything else, start an OpenAI-compatible " +
	"server such as Ollama or llama.cpp and point parley's llm settings in config.toml at it."

// OfflineOptions configures NewOffline.
type OfflineOptions struct {
	// Clock tells the time; nil means time.Now. Replies use its location.
	Clock func() time.Time
	// ConnectHint ends replies the responder cannot answer; empty means
	// DefaultConnectHint.
	ConnectHint string
	// WordsPerPiece is how many words each Reply.Next returns; 0 means 4.
	WordsPerPiece int
}

// Offline is the built-in responder used when no language model answers.
// It is deterministic: it knows a few local intents (time, date, help,
// its name, greetings, thanks), says that it is offline, and otherwise
// repeats what it heard. It implements Responder and is safe for
// concurrent use.
type Offline struct {
	clock func() time.Time
	hint  string
	words int
}

var _ Responder = (*Offline)(nil)

// NewOffline returns the offline responder.
func NewOffline(opts OfflineOptions) *Offline {
	o := &Offline{clock: opts.Clock, hint: opts.ConnectHint, words: opts.WordsPerPiece}
	if o.clock == nil {
		o.clock = time.Now
	}
	if o.hint == "" {
		o.hint = DefaultConnectHint
	}
	if o.words <= 0 {
		o.words = 4
	}
	return o
}

// Name implements Responder.
func (o *Offline) Name() string { return "offline" }

// Respond implements Responder. It answers the last user message of history.
func (o *Offline) Respond(ctx context.Context, history []Message) (Reply, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("offline respond: %w", err)
	}
	text, ok := lastUserText(history)
	if !ok {
		return nil, fmt.Errorf("offline respond: %w", ErrNoUserMessage)
	}
	return newTextReply(o.Answer(text), o.words), nil
}

// Answer returns the whole reply to one user utterance.
func (o *Offline) Answer(text string) string {
	words := normalize(text)
	if len(words) == 0 {
		return "I didn't catch that. I'm running offline, without a language model."
	}
	for _, in := range intents() {
		if in.matches(words) {
			return in.answer(o, text)
		}
	}
	return o.echo(text)
}

func (o *Offline) echo(text string) string {
	heard := strings.TrimRight(strings.TrimSpace(text), ".!?,;: ")
	return fmt.Sprintf("I heard: %s. I'm offline, so I can't answer that. %s", heard, o.hint)
}

func lastUserText(history []Message) (string, bool) {
	for i := len(history) - 1; i >= 0; i-- {
		if history[i].Role == RoleUser {
			return history[i].Content, true
		}
	}
	return "", false
}

// intent is a local question the offline responder answers.
type intent struct {
	phrases []string // any of them, as whole words, triggers the intent
	answer  func(o *Offline, text string) string
}

func (in intent) matches(words string) bool {
	for _, p := range in.phrases {
		if strings.Contains(" "+words+" ", " "+p+" ") {
			return true
		}
	}
	return false
}

// intents lists the local intents, most specific first: "hello, what time
// is it" is a time question.
func intents() []intent {
	return []intent{
		{[]string{"what time", "the time", "time is it", "current time"}, (*Offline).timeAnswer},
		{[]string{"the date", "what date", "what day", "which day", "today's date", "date today"}, (*Offline).dateAnswer},
		{[]string{"what can you do", "what do you do", "help", "help me", "what are you able"}, (*Offline).helpAnswer},
		{[]string{"your name", "who are you", "what are you called"}, (*Offline).nameAnswer},
		{[]string{"thank", "thanks"}, (*Offline).thanksAnswer},
		{[]string{"hello", "hi", "hey", "good morning", "good afternoon", "good evening", "greetings"}, (*Offline).greetAnswer},
	}
}

func (o *Offline) timeAnswer(string) string {
	return "It's " + o.clock().Format("3:04 PM") + "."
}

func (o *Offline) dateAnswer(string) string {
	return "Today is " + o.clock().Format("Monday, January 2, 2006") + "."
}

func (o *Offline) helpAnswer(string) string {
	return "I'm running offline, without a language model, so I can tell you " +
		"the time and the date, and repeat what I heard. " + o.hint
}

func (o *Offline) nameAnswer(string) string {
	return "I'm parley, a voice assistant. Right now I'm running offline, without a language model."
}

func (o *Offline) thanksAnswer(string) string {
	return "You're welcome."
}

func (o *Offline) greetAnswer(string) string {
	return "Hello! I'm parley. I'm running offline, so I can tell you the time and the date. " +
		"Ask me what I can do."
}

// normalize lower-cases text, keeps letters, digits and apostrophes, and
// joins the words with single spaces.
func normalize(text string) string {
	clean := strings.Map(func(c rune) rune {
		if unicode.IsLetter(c) || unicode.IsDigit(c) || c == '\'' {
			return unicode.ToLower(c)
		}
		return ' '
	}, strings.ReplaceAll(text, "’", "'"))
	return strings.Join(strings.Fields(clean), " ")
}
