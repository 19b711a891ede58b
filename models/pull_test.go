package models

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakePublisher serves files by path, honours Range requests, and cuts the
// first `cuts` responses off halfway through the body.
type fakePublisher struct {
	mu      sync.Mutex
	files   map[string][]byte
	cuts    int
	noRange bool // answer every request with the whole file
	ranges  []string
}

func (p *fakePublisher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	body, ok := p.files[r.URL.Path]
	cut := p.cuts > 0
	if cut {
		p.cuts--
	}
	p.ranges = append(p.ranges, r.Header.Get("Range"))
	p.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	start := 0
	if rg := r.Header.Get("Range"); rg != "" && !p.noRange {
		start, _ = strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(rg, "bytes="), "-"))
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, len(body)-1, len(body)))
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)-start))
	w.WriteHeader(map[bool]int{false: http.StatusOK, true: http.StatusPartialContent}[start > 0])
	rest := body[start:]
	if cut {
		_, _ = w.Write(rest[:len(rest)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // drops the connection mid-body
	}
	_, _ = w.Write(rest)
}

func (p *fakePublisher) seenRanges() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.ranges...)
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

var (
	alpha = bytes.Repeat([]byte("alpha bytes "), 40000) // 480 kB: many reads
	beta  = []byte(`{"voice": "beta"}`)
)

// testEntry has a sha256-checked file and an md5-checked one, at URLs on a
// host that does not exist: only Puller.BaseURL makes them reachable.
func testEntry() Entry {
	return Entry{Name: "test-model", Kind: KindTTS, Dir: "test-model", Description: "test", Files: []File{
		{URL: "https://publisher.invalid/pub/alpha.bin", Name: "alpha.bin", Size: int64(len(alpha)), SHA256: sha(alpha)},
		{URL: "https://publisher.invalid/pub/beta.json", Name: "beta.json", Size: int64(len(beta)), MD5: md5hex(beta)},
	}}
}

func newPublisher(t *testing.T, cuts int) (*fakePublisher, Puller) {
	t.Helper()
	pub := &fakePublisher{cuts: cuts, files: map[string][]byte{"/pub/alpha.bin": alpha, "/pub/beta.json": beta}}
	srv := httptest.NewServer(pub)
	t.Cleanup(srv.Close)
	return pub, Puller{Client: srv.Client(), BaseURL: srv.URL}
}

// progressLog records progress calls and checks they never go backwards.
type progressLog struct {
	t     *testing.T
	calls int
	last  int64
	total int64
}

func (l *progressLog) report(done, total int64) {
	if done < l.last || done > total {
		l.t.Errorf("progress %d/%d after %d", done, total, l.last)
	}
	l.calls, l.last, l.total = l.calls+1, done, total
}

func TestPullFullDownload(t *testing.T) {
	_, p := newPublisher(t, 0)
	root := t.TempDir()
	log := &progressLog{t: t}
	e := testEntry()
	if err := p.Pull(context.Background(), e, root, log.report); err != nil {
		t.Fatal(err)
	}
	if err := Verify(InstallDir(root, e), e); err != nil {
		t.Fatalf("Verify after Pull: %v", err)
	}
	if log.calls < 3 || log.last != e.Size() || log.total != e.Size() {
		t.Errorf("progress: %d calls, last %d of %d; want it to end at %d", log.calls, log.last, log.total, e.Size())
	}
	assertOnly(t, root, "test-model")
}

// assertOnly fails unless root holds exactly names (plus the downloads
// folder): no staging folder, no half-installed model.
func assertOnly(t *testing.T, root string, names ...string) {
	t.Helper()
	entries, _ := os.ReadDir(root)
	var got []string
	for _, d := range entries {
		if d.Name() != ".downloads" {
			got = append(got, d.Name())
		}
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("%s holds %q, want %q", root, got, names)
	}
}

func TestPullResumesAfterACutConnection(t *testing.T) {
	pub, p := newPublisher(t, 1)
	root := t.TempDir()
	log := &progressLog{t: t}
	if err := p.Pull(context.Background(), testEntry(), root, log.report); err != nil {
		t.Fatal(err)
	}
	ranges := pub.seenRanges()
	if len(ranges) < 2 || ranges[0] != "" || ranges[1] != "bytes="+strconv.Itoa(len(alpha)/2)+"-" {
		t.Errorf("requests' Range headers %q; want the retry to resume at byte %d", ranges, len(alpha)/2)
	}
	if err := Verify(InstallDir(root, testEntry()), testEntry()); err != nil {
		t.Fatal(err)
	}
}

func TestPullRestartsWhenTheServerIgnoresRange(t *testing.T) {
	pub, p := newPublisher(t, 1)
	pub.noRange = true
	root := t.TempDir()
	log := &progressLog{t: t}
	if err := p.Pull(context.Background(), testEntry(), root, log.report); err != nil {
		t.Fatal(err)
	}
	if err := Verify(InstallDir(root, testEntry()), testEntry()); err != nil {
		t.Fatal(err)
	}
	if log.last != testEntry().Size() {
		t.Errorf("progress ended at %d of %d", log.last, testEntry().Size())
	}
}

func TestPullKeepsThePartAndResumesNextTime(t *testing.T) {
	_, p := newPublisher(t, 1)
	p.Attempts = 1
	root := t.TempDir()
	err := p.Pull(context.Background(), testEntry(), root, nil)
	if !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "alpha.bin") {
		t.Fatalf("err = %v, want ErrInterrupted naming alpha.bin", err)
	}
	part := filepath.Join(root, ".downloads", "test-model", "alpha.bin.part")
	if n := fileSize(part); n != int64(len(alpha)/2) {
		t.Fatalf("kept .part has %d bytes, want %d", n, len(alpha)/2)
	}
	assertOnly(t, root)
	pub, p2 := newPublisher(t, 0)
	if err := p2.Pull(context.Background(), testEntry(), root, nil); err != nil {
		t.Fatal(err)
	}
	if r := pub.seenRanges(); r[0] != "bytes="+strconv.Itoa(len(alpha)/2)+"-" {
		t.Errorf("second pull sent Range %q, want a resume", r[0])
	}
	assertOnly(t, root, "test-model")
}

func TestPullRefusesACorruptFile(t *testing.T) {
	pub, p := newPublisher(t, 0)
	bad := bytes.ToUpper(alpha) // same size, other bytes
	pub.files["/pub/alpha.bin"] = bad
	root := t.TempDir()
	err := p.Pull(context.Background(), testEntry(), root, nil)
	if !errors.Is(err, ErrChecksum) {
		t.Fatalf("err = %v, want ErrChecksum", err)
	}
	for _, want := range []string{"test-model", "alpha.bin", sha(alpha), sha(bad)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(root, ".downloads", "test-model", "alpha.bin.part")); !os.IsNotExist(err) {
		t.Errorf("corrupt .part kept (a resume could never fix it): %v", err)
	}
	assertOnly(t, root)
}

func TestPullReports404(t *testing.T) {
	pub, p := newPublisher(t, 0)
	delete(pub.files, "/pub/beta.json")
	root := t.TempDir()
	err := p.Pull(context.Background(), testEntry(), root, nil)
	if !errors.Is(err, ErrHTTP) || !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), "beta.json") {
		t.Fatalf("err = %v, want ErrHTTP naming 404 and beta.json", err)
	}
	assertOnly(t, root) // alpha.bin arrived, but nothing is installed
}

func TestPullNeverLeavesAHalfInstall(t *testing.T) {
	pub, p := newPublisher(t, 0)
	root := t.TempDir()
	e := testEntry()
	if err := p.Pull(context.Background(), e, root, nil); err != nil {
		t.Fatal(err)
	}
	pub.files["/pub/beta.json"] = []byte(`{"voice": "BETA"}`) // a broken update
	if err := p.Pull(context.Background(), e, root, nil); !errors.Is(err, ErrChecksum) {
		t.Fatalf("err = %v, want ErrChecksum", err)
	}
	if err := Verify(InstallDir(root, e), e); err != nil {
		t.Errorf("the earlier install was damaged: %v", err)
	}
	assertOnly(t, root, "test-model")
}

func TestBaseURLKeepsThePath(t *testing.T) {
	got, err := Puller{BaseURL: "http://127.0.0.1:8080/mirror"}.resolve("https://github.com/o/r/releases/download/t/f.tar.bz2")
	if err != nil || got != "http://127.0.0.1:8080/mirror/o/r/releases/download/t/f.tar.bz2" {
		t.Errorf("resolve = %q, %v", got, err)
	}
}
