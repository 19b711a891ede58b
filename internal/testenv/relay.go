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
	serveRelay(t, l, "unix", upstream, delay)
	return path
}

// TCPRelay is Relay for TCP: a new port on 127.0.0.1 forwarded to upstream
// (host:port), each direction delayed by delay, e.g. a network path in
// front of an SSH server. It returns the new address (host:port).
func TCPRelay(t testing.TB, upstream string, delay time.Duration) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("relay: %v", err)
	}
	serveRelay(t, l, "tcp", upstream, delay)
	return l.Addr().String()
}

// serveRelay joins every client of l to a new connection to upstream until
// the test ends.
func serveRelay(t testing.TB, l net.Listener, network, upstream string, delay time.Duration) {
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
				relayConn(c, network, upstream, delay)
			}()
		}
	}()
}

// relayConn joins one client to a new upstream connection until either
// side closes.
func relayConn(c net.Conn, network, upstream string, delay time.Duration) {
	defer c.Close()
	u, err := net.Dial(network, upstream)
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
