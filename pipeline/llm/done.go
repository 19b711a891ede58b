package llm

import (
	"bytes"
	"io"
	"net/http"
	"sync/atomic"

	"github.com/openai/openai-go/v3/option"
)

// doneMarker is the data of the event that ends a chat-completions stream.
var doneMarker = []byte("[DONE]")

// doneWatcher notes whether a stream's body carried the end marker
// ("data: [DONE]"): the client library ends the stream on it exactly as on
// a closed connection, so only the raw body tells a complete reply from one
// the server cut short.
type doneWatcher struct {
	seen atomic.Bool
}

// middleware wraps the response body so that the watcher sees it.
func (w *doneWatcher) middleware() option.RequestOption {
	return option.WithMiddleware(func(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
		resp, err := next(req)
		if err == nil && resp != nil && resp.Body != nil {
			resp.Body = &doneBody{ReadCloser: resp.Body, w: w}
		}
		return resp, err
	})
}

// doneBody passes a body through, line by line looking for the marker.
type doneBody struct {
	io.ReadCloser
	w    *doneWatcher
	line []byte // the start of the current line, at most maxPrefix bytes
}

// maxPrefix is as much of a line as the marker check needs.
const maxPrefix = len("data: [DONE]")

// Read implements io.Reader.
func (b *doneBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	for _, c := range p[:n] {
		if c == '\n' {
			b.endLine()
			continue
		}
		if len(b.line) < maxPrefix {
			b.line = append(b.line, c)
		}
	}
	return n, err
}

// endLine checks the line just ended: "data:" and an optional space, then
// the marker.
func (b *doneBody) endLine() {
	data, ok := bytes.CutPrefix(bytes.TrimSuffix(b.line, []byte("\r")), []byte("data:"))
	if ok && bytes.HasPrefix(bytes.TrimPrefix(data, []byte(" ")), doneMarker) {
		b.w.seen.Store(true)
	}
	b.line = b.line[:0]
}
