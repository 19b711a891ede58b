package pipeline

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestAnnounceKeepsDetailInLog: a start-up notice reaches the reader with
// its fact and short text, and the log keeps the full detail.
func TestAnnounceKeepsDetailInLog(t *testing.T) {
	log, err := OpenLog(t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(Options{
		Source: &sliceSource{}, VAD: ampVAD{}, Segmenter: &countSegmenter{}, ASR: &numberASR{},
		Responder: echoResponder{}, TTS: toneTTS{}, Player: &instantPlayer{}, Log: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	detail := `Get "http://127.0.0.1:11434/v1/models": dial tcp 127.0.0.1:11434: connect: connection refused`
	p.Announce(Notice{Fact: "llm", Text: "LLM offline: start Ollama or set llm.base_url", Detail: detail})
	evs, err := collect(t, p)
	if err != nil {
		t.Fatal(err)
	}
	first := evs[0]
	if first.Kind != KindInfo || first.Fact != "llm" || !strings.HasPrefix(first.Text, "LLM offline") || first.Time.IsZero() {
		t.Fatalf("first event %+v", first)
	}
	_ = log.Close()
	data, err := os.ReadFile(log.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"fact":"llm"`) || !strings.Contains(string(data), "connection refused") {
		t.Fatalf("log lacks the fact or the detail:\n%s", data)
	}
}
