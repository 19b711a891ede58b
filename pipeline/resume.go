package pipeline

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"parley/pipeline/llm"
)

// Turn is one exchange read back from a conversation log: what the user
// said or typed and what parley answered.
type Turn struct {
	// ID is the turn's id in its log.
	ID TurnID
	// User is the final transcript or the typed text.
	User string
	// Answer is the full reply; for an interrupted one, what was said
	// before the cut ("" when none was said or the reply failed).
	Answer string
	// Interrupted is true when the user cut the reply short.
	Interrupted bool
}

// Conversation is the turns of one conversation log.
type Conversation struct {
	// Path is the log file.
	Path string
	// Turns are its turns in order.
	Turns []Turn
}

// logPattern matches the files OpenLog creates; their names sort by time.
const logPattern = "conversation-*.jsonl"

// LastConversation reads the newest conversation log in dir (the state
// folder, DefaultLogDir) that holds at least one turn, so the log a new
// session has just opened is passed over. It returns ErrNoConversation
// when there is none.
func LastConversation(dir string) (Conversation, error) {
	paths, err := filepath.Glob(filepath.Join(dir, logPattern))
	if err != nil {
		return Conversation{}, fmt.Errorf("conversation logs in %s: %w", dir, err)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(paths)))
	for _, p := range paths {
		turns, err := ReadTurns(p)
		if err != nil {
			return Conversation{}, err
		}
		if len(turns) > 0 {
			return Conversation{Path: p, Turns: turns}, nil
		}
	}
	return Conversation{}, fmt.Errorf("conversation logs in %s: %w", dir, ErrNoConversation)
}

// ReadTurns reads the turns of one conversation log. A last line cut
// short (parley stopped mid-write) is ignored; any other bad line is an
// error naming the file and line.
func ReadTurns(path string) ([]Turn, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("conversation log: %w", err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var turns []Turn
	for n := 1; ; n++ {
		line, err := r.ReadString('\n')
		if errors.Is(err, io.EOF) {
			return turns, nil // empty, or cut short while written
		}
		if err != nil {
			return nil, fmt.Errorf("conversation log %s: %w", path, err)
		}
		var ev Event
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			return nil, fmt.Errorf("conversation log %s line %d: %w", path, n, err)
		}
		turns = foldTurn(turns, ev)
	}
}

// foldTurn adds one logged event to the turns: a transcript starts a turn
// (ids restart with each session, so the latest turn of an id is meant),
// an answer or an interruption completes it.
func foldTurn(turns []Turn, ev Event) []Turn {
	if ev.Kind == KindHeard {
		return append(turns, Turn{ID: ev.Turn, User: ev.Text})
	}
	for i := len(turns) - 1; i >= 0; i-- {
		if turns[i].ID != ev.Turn {
			continue
		}
		switch ev.Kind {
		case KindAnswer:
			turns[i].Answer = ev.Text
		case KindInterrupted:
			turns[i].Answer, turns[i].Interrupted = ev.Text, true
		}
		break
	}
	return turns
}

// WriteTurns records the turns of an earlier conversation in the log as
// the events they were read from (what was heard, then the answer or the
// interruption), stamped at, so that the log of a conversation that
// continues another holds both, and a later --continue carries on from
// it. Turn ids are kept: ReadTurns pairs an answer with the latest turn of
// its id.
func (l *Log) WriteTurns(turns []Turn, at time.Time) error {
	for _, t := range turns {
		for _, ev := range turnEvents(t) {
			ev.Time = at
			if err := l.Write(ev); err != nil {
				return err
			}
		}
	}
	return nil
}

// turnEvents are the logged events ReadTurns folds into t.
func turnEvents(t Turn) []Event {
	evs := []Event{{Kind: KindHeard, Turn: t.ID, Text: t.User}}
	switch {
	case t.Interrupted:
		evs = append(evs, Event{Kind: KindInterrupted, Turn: t.ID, Text: t.Answer})
	case t.Answer != "":
		evs = append(evs, Event{Kind: KindAnswer, Turn: t.ID, Text: t.Answer})
	}
	return evs
}

// History turns the latest turns into LLM history within budget
// characters (llm.max_history_chars): older turns go first, whole. An
// interrupted answer keeps what was said, marked interrupted; a turn
// without an answer keeps the question alone.
func History(turns []Turn, budget int) []llm.Message {
	keep, used := len(turns), 0
	for keep > 0 {
		t := turns[keep-1]
		n := utf8.RuneCountInString(t.User) + utf8.RuneCountInString(t.Answer)
		if used+n > budget {
			break
		}
		used += n
		keep--
	}
	var out []llm.Message
	for _, t := range turns[keep:] {
		out = append(out, llm.Message{Role: llm.RoleUser, Content: t.User})
		if strings.TrimSpace(t.Answer) != "" {
			out = append(out, llm.Message{Role: llm.RoleAssistant, Content: t.Answer, Interrupted: t.Interrupted})
		}
	}
	return out
}
