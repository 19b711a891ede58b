package models

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"parley/internal/ctxtime"
)

// Puller downloads catalog entries. Its zero value uses http.DefaultClient
// and the publishers' URLs.
type Puller struct {
	// Client makes the requests; nil means http.DefaultClient.
	Client *http.Client
	// BaseURL, when set, replaces the scheme and host of every file URL and
	// prefixes its path (a mirror that keeps the publishers' paths, or a
	// test server).
	BaseURL string
	// Attempts is how many times one file is requested, resuming after each
	// broken connection, before Pull gives up; 0 means 3.
	Attempts int
}

// Pull downloads and installs e under dir with the zero Puller.
func Pull(ctx context.Context, e Entry, dir string, progress func(done, total int64)) error {
	return Puller{}.Pull(ctx, e, dir, progress)
}

// Pull downloads e's files into dir/.downloads/<name>/ as .part files
// (resuming any left by an earlier attempt with an HTTP Range request),
// checks each one's size and checksum, unpacks archives, and installs the
// model as dir/<e.Dir> by renaming a finished staging folder into place, so
// that a failure never leaves a half-installed model. A corrupt download is
// deleted and named in the error with both checksums; an interrupted one is
// kept for the next attempt. progress, if not nil, is called with the bytes
// done so far and the total; done never decreases.
func (p Puller) Pull(ctx context.Context, e Entry, dir string, progress func(done, total int64)) error {
	downloads := filepath.Join(dir, ".downloads", e.Name)
	if err := os.MkdirAll(downloads, 0o755); err != nil {
		return fmt.Errorf("pull %s: %w", e.Name, err)
	}
	m := &meter{total: e.Size(), report: progress}
	parts := make([]string, len(e.Files))
	for i, f := range e.Files {
		part, err := p.fetch(ctx, f, filepath.Join(downloads, f.Name+".part"), m)
		if err != nil {
			return fmt.Errorf("pull %s: %w", e.Name, err)
		}
		parts[i] = part
		m.finish(f.Size)
	}
	if err := installParts(e, dir, parts); err != nil {
		return fmt.Errorf("pull %s: %w", e.Name, err)
	}
	_ = os.Remove(downloads) // only when empty
	return nil
}

// fetch downloads f to part, resuming, and returns part once its size and
// checksum are right.
func (p Puller) fetch(ctx context.Context, f File, part string, m *meter) (string, error) {
	attempts := max(p.Attempts, 1)
	if p.Attempts == 0 {
		attempts = 3
	}
	err := p.resume(ctx, f, part, m)
	for try := 1; try < attempts && errors.Is(err, ErrInterrupted); try++ {
		if perr := pause(ctx, try); perr != nil {
			return "", fmt.Errorf("%s: %w", f.Name, perr)
		}
		err = p.resume(ctx, f, part, m)
	}
	if err != nil {
		return "", err
	}
	return part, checkDownload(f, part)
}

// pause waits a little longer after each failed try.
func pause(ctx context.Context, try int) error {
	return ctxtime.Sleep(ctx, time.Duration(try+1)*100*time.Millisecond)
}

// resume continues the download in part from its current size.
func (p Puller) resume(ctx context.Context, f File, part string, m *meter) error {
	have := fileSize(part)
	if have > f.Size {
		_ = os.Remove(part)
		have = 0
	}
	m.at(have)
	if have == f.Size {
		return nil
	}
	resp, err := p.get(ctx, f, have)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	start, err := rangeStart(resp, have)
	if err != nil || start < 0 {
		return err
	}
	return receive(resp.Body, f, part, start, m)
}

// get requests f from offset on.
func (p Puller) get(ctx context.Context, f File, offset int64) (*http.Response, error) {
	u, err := p.resolve(f.URL)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
	}
	client := p.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, ctx.Err())
		}
		return nil, fmt.Errorf("%w: %s: %w", ErrInterrupted, f.Name, err)
	}
	return resp, nil
}

// resolve applies BaseURL to a publisher's URL.
func (p Puller) resolve(raw string) (string, error) {
	if p.BaseURL == "" {
		return raw, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("bad URL %q: %w", raw, err)
	}
	base, err := url.Parse(p.BaseURL)
	if err != nil {
		return "", fmt.Errorf("bad base URL %q: %w", p.BaseURL, err)
	}
	u.Scheme, u.Host = base.Scheme, base.Host
	u.Path = path.Join("/", base.Path, u.Path)
	return u.String(), nil
}

// rangeStart returns where the response body starts in the file: have for
// a 206 that continues the .part, 0 for a whole file (200), and -1 when
// the .part is already whole (416). Other statuses are errors.
func rangeStart(resp *http.Response, have int64) (int64, error) {
	name := path.Base(resp.Request.URL.Path)
	switch resp.StatusCode {
	case http.StatusOK:
		return 0, nil
	case http.StatusRequestedRangeNotSatisfiable:
		return -1, nil
	case http.StatusPartialContent:
		cr := resp.Header.Get("Content-Range")
		if !strings.HasPrefix(cr, "bytes "+strconv.FormatInt(have, 10)+"-") {
			return 0, fmt.Errorf("%w: %s: server resumed at %q, wanted byte %d", ErrHTTP, name, cr, have)
		}
		return have, nil
	}
	return 0, fmt.Errorf("%w: %s: %s from %s", ErrHTTP, name, resp.Status, resp.Request.URL.Host)
}

// receive writes body into part from byte start on (truncating part there).
func receive(body io.Reader, f File, part string, start int64, m *meter) error {
	out, err := os.OpenFile(part, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	if err := out.Truncate(start); err != nil {
		out.Close()
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	if _, err := out.Seek(start, io.SeekStart); err != nil {
		out.Close()
		return fmt.Errorf("%s: %w", f.Name, err)
	}
	got, copyErr := io.Copy(out, io.TeeReader(io.LimitReader(body, f.Size-start+1), m.from(start)))
	if err := out.Close(); err != nil && copyErr == nil {
		copyErr = err
	}
	if copyErr == nil && start+got < f.Size {
		copyErr = io.ErrUnexpectedEOF
	}
	if copyErr != nil {
		return fmt.Errorf("%w: %s after %d of %d bytes (kept %s; pull again to resume): %v",
			ErrInterrupted, f.Name, start+got, f.Size, part, copyErr)
	}
	return nil
}

// fileSize is the size of path, 0 when it does not exist.
func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}
