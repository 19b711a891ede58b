package turn

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// openWords are English words after which a sentence is not over: a turn
// whose transcript ends on one waits up to MaxSilence ("please remind me to
// ... call my sister"). Words that also end complete sentences often ("on",
// "up", "her", "that", "this", "it") are left out: waiting there would slow
// many complete turns to save few.
var openWords = map[string]string{}

func init() {
	classes := map[string]string{
		"article":     "a an the",
		"determiner":  "my your our their its his every each some any no",
		"preposition": "to of in at for with from by about into onto over under after before between through during without towards toward than via per upon",
		"conjunction": "and or but so because if when while although though unless until since whether nor whereas",
		"auxiliary":   "is are was were am be been being do does did have has had will would can could should shall may might must gonna wanna gotta",
		"filler":      "um uh er erm uhm hmm mm ah eh",
	}
	for class, words := range classes {
		for _, w := range strings.Fields(words) {
			openWords[w] = class
		}
	}
}

// Text is the built-in detector: a transcript ending on an article,
// determiner, preposition, conjunction, auxiliary or filler (or a comma or
// a dash) waits up to MaxSilence; a complete one is over after MinSilence,
// a little later when the audio gives a cue that the user may go on (see
// cues).
type Text struct {
	opts Options
}

// NewText returns the text detector.
func NewText(opts Options) (*Text, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	return &Text{opts: opts}, nil
}

// Name implements Detector.
func (d *Text) Name() string { return "text" }

// Once implements Detector: the cues change as the silence grows, and a
// decision costs microseconds.
func (d *Text) Once() bool { return false }

// Decide implements Detector.
func (d *Text) Decide(_ context.Context, in Input) (Decision, error) {
	if reason, open := OpenEnding(in.Transcript); open {
		return d.opts.notYet(reason), nil
	}
	if in.Transcript == "" {
		return d.opts.wait(d.opts.MinSilence, in.Silence, "nothing recognised"), nil
	}
	if cue := continuationCue(in); cue != "" {
		return d.opts.wait(d.opts.MinSilence+d.extra(), in.Silence, "complete transcript; "+cue), nil
	}
	return d.opts.wait(d.opts.MinSilence, in.Silence, "complete transcript"), nil
}

// extra is the wait a cue adds: a quarter of the way from MinSilence to
// MaxSilence.
func (d *Text) extra() time.Duration {
	return (d.opts.MaxSilence - d.opts.MinSilence) / 4
}

// OpenEnding reports whether transcript ends where a sentence cannot (an
// article, determiner, preposition, conjunction, auxiliary or filler; a
// comma, colon, dash or ellipsis), and why.
func OpenEnding(transcript string) (string, bool) {
	t := strings.TrimSpace(transcript)
	if t == "" {
		return "", false
	}
	switch last := lastRune(t); {
	case last == ',' || last == '-' || last == '…' || last == ':' || strings.HasSuffix(t, ".."):
		return fmt.Sprintf("ends on %q", string(last)), true
	case last == '.' || last == '?' || last == '!' || last == '。' || last == '？' || last == '！':
		return "", false
	}
	word := strings.ToLower(lastWord(t))
	if class, ok := openWords[word]; ok {
		return fmt.Sprintf("ends on %q (%s)", word, class), true
	}
	return "", false
}

// lastRune returns the last rune of a non-empty string.
func lastRune(s string) rune {
	r := []rune(s)
	return r[len(r)-1]
}

// lastWord returns the last run of letters and apostrophes in s.
func lastWord(s string) string {
	end := strings.LastIndexFunc(s, isWordRune)
	if end < 0 {
		return ""
	}
	_, size := utf8.DecodeRuneInString(s[end:])
	s = s[:end+size]
	start := 0
	if i := strings.LastIndexFunc(s, func(r rune) bool { return !isWordRune(r) }); i >= 0 {
		_, n := utf8.DecodeRuneInString(s[i:])
		start = i + n
	}
	return s[start:]
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || r == '\'' }
