package e2e

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// pauseItem is one line of testdata/pauseset.txt.
type pauseItem struct {
	first, second string
	pause         time.Duration
}

// pauseSet reads testdata/pauseset.txt.
func pauseSet(t *testing.T) []pauseItem {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "pauseset.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var items []pauseItem
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "|")
		ms, err := strconv.Atoi(strings.TrimSpace(parts[1]))
		if len(parts) != 3 || err != nil {
			t.Fatalf("pauseset.txt: bad line %q", line)
		}
		items = append(items, pauseItem{strings.TrimSpace(parts[0]), strings.TrimSpace(parts[2]), time.Duration(ms) * time.Millisecond})
	}
	return items
}

// pauseWAV speaks the item with flite's kal16 voice: the first part, exactly
// item.pause of silence (the edge silences flite adds are trimmed), the
// second part. It returns the WAV's path.
func pauseWAV(t *testing.T, dir string, i int, item pauseItem) string {
	t.Helper()
	a := trimSilence(readWAV16(t, flite(t, "kal16", dir, fmt.Sprintf("p%da", i), item.first)), false, true)
	b := trimSilence(readWAV16(t, flite(t, "kal16", dir, fmt.Sprintf("p%db", i), item.second)), true, false)
	joined := append(append(a, make([]int16, int(item.pause.Seconds()*16000))...), b...)
	path := filepath.Join(dir, fmt.Sprintf("pause%d.wav", i))
	writeWAV16(t, path, joined)
	return path
}

// readWAV16 returns the samples of a 16 kHz mono 16-bit WAV.
func readWAV16(t *testing.T, path string) []int16 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte("data"))
	if i < 0 || !bytes.Contains(data[:i], []byte("WAVE")) {
		t.Fatalf("%s: not a WAV with a data chunk", path)
	}
	data = data[i+8:]
	out := make([]int16, len(data)/2)
	for j := range out {
		out[j] = int16(binary.LittleEndian.Uint16(data[2*j:]))
	}
	return out
}

// trimSilence drops the leading and/or trailing samples quieter than
// -50 dBFS.
func trimSilence(s []int16, head, tail bool) []int16 {
	const quiet = 104 // -50 dBFS of full scale
	loud := func(v int16) bool { return math.Abs(float64(v)) > quiet }
	start, end := 0, len(s)
	for head && start < end && !loud(s[start]) {
		start++
	}
	for tail && end > start && !loud(s[end-1]) {
		end--
	}
	return s[start:end]
}

// writeWAV16 writes 16 kHz mono 16-bit samples as a WAV file.
func writeWAV16(t *testing.T, path string, s []int16) {
	t.Helper()
	var b bytes.Buffer
	n := uint32(2 * len(s))
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, 36+n)
	b.WriteString("WAVEfmt ")
	_ = binary.Write(&b, binary.LittleEndian, []uint32{16})
	_ = binary.Write(&b, binary.LittleEndian, []uint16{1, 1})
	_ = binary.Write(&b, binary.LittleEndian, []uint32{16000, 32000})
	_ = binary.Write(&b, binary.LittleEndian, []uint16{2, 16})
	b.WriteString("data")
	_ = binary.Write(&b, binary.LittleEndian, n)
	_ = binary.Write(&b, binary.LittleEndian, s)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// lateReplies answers every request with "Okay." after a delay, through
// the fault server (which records each request's messages), and counts the
// requests whose client went away first: parley cancelling a speculative
// answer.
type lateReplies struct {
	srv       *faultServer
	delay     time.Duration
	mu        sync.Mutex
	cancelled int
}

func newLateReplies(t *testing.T, delay time.Duration) *lateReplies {
	t.Helper()
	l := &lateReplies{delay: delay}
	l.srv = newFaultServer(t, l.answer)
	return l
}

func (l *lateReplies) answer(w http.ResponseWriter, r *http.Request, _ int) {
	select {
	case <-time.After(l.delay):
		complete(w, "Okay.")
	case <-r.Context().Done():
		l.mu.Lock()
		l.cancelled++
		l.mu.Unlock()
	}
}

// requests returns every request's messages and how many were cancelled.
func (l *lateReplies) requests() ([][]chatMessage, int) {
	l.srv.mu.Lock()
	asked := slices.Clone(l.srv.asked)
	l.srv.mu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	return asked, l.cancelled
}
