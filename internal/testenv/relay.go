package testenv

import (
	"io"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Relay forwards a new unix socket to upstream (a unix socket path) the way
// an SSH socket forward does: bytes only, so file descriptors passed over
// it (PulseAudio's shared-memory memfds) are lost. Each direction delays
// every chunk by delay (0: none), like a network path of that one-way
// latency with ample bandwidth. It returns the new socket's path and stops
// when the test ends.
func Relay(t testing.TB, upstream string, delay time.Duration) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "relay.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatalf("relay: %v", err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		_ = l.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				relayConn(c, upstream, delay)
			}()
		}
	}()
	return path
}

// relayConn joins one client to a new upstream connection until either
// side closes.
func relayConn(c net.Conn, upstream string, delay time.Duration) {
	defer c.Close()
	u, err := net.Dial("unix", upstream)
	if err != nil {
		return
	}
	defer u.Close()
	done := make(chan struct{}, 2)
	go func() { pipe(u, c, delay); done <- struct{}{} }()
	go func() { pipe(c, u, delay); done <- struct{}{} }()
	<-done // one side ended: closing both ends the other
}

// chunk is data read at a time, to be written delay later.
type chunk struct {
	b  []byte
	at time.Time
}

// pipe copies src to dst, each chunk delay after it was read.
func pipe(dst io.WriteCloser, src io.Reader, delay time.Duration) {
	defer dst.Close()
	if delay == 0 {
		_, _ = io.Copy(dst, src)
		return
	}
	q := make(chan chunk, 4096)
	go func() {
		defer close(q)
		for {
			b := make([]byte, 32<<10)
			n, err := src.Read(b)
			if n > 0 {
				q <- chunk{b[:n], time.Now().Add(delay)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range q {
		time.Sleep(time.Until(c.at))
		if _, err := dst.Write(c.b); err != nil {
			break
		}
	}
	for range q { // let the reader end once its side closes
	}
}
