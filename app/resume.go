package app

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"parley/pipeline"
)

// resume reads the last conversation of the state folder for --continue,
// before this run's log exists. No earlier conversation, or one that
// cannot be read, is a notice: parley starts afresh.
func (a *App) resume() {
	c, err := pipeline.LastConversation(a.eng.StateDir)
	switch {
	case errors.Is(err, pipeline.ErrNoConversation):
		a.notices = append(a.notices, pipeline.Notice{Fact: "resume", Text: "no earlier conversation to continue", Detail: err.Error()})
	case err != nil:
		a.notices = append(a.notices, pipeline.Notice{Fact: "resume", Text: "cannot continue: the last conversation log is unreadable · parley doctor", Detail: err.Error()})
	default:
		a.resumed = c
		a.notices = append(a.notices, pipeline.Notice{Fact: "resume",
			Text:   fmt.Sprintf("continuing %s (%d turns)", conversationName(c.Path), len(c.Turns)),
			Detail: "continuing the conversation of " + c.Path})
	}
}

// conversationName names a conversation by its log's start time, or by
// the file when its name is not one OpenLog gives.
func conversationName(path string) string {
	base := filepath.Base(path)
	t, err := time.ParseInLocation("conversation-20060102-150405.000.jsonl", base, time.Local)
	if err != nil {
		return base
	}
	return "the conversation of " + t.Format("Jan 2 15:04")
}

// Resumed are the turns of the conversation this run continues (none
// without --continue), for the front end to show first.
func (a *App) Resumed() []pipeline.Turn {
	return a.resumed.Turns
}
