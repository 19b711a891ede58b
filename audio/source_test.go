package audio

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"
)

func readAll(t *testing.T, s Source) ([]float32, error) {
	t.Helper()
	var out []float32
	p := make([]float32, 1000)
	for {
		n, err := s.Read(context.Background(), p)
		out = append(out, p[:n]...)
		if err != nil {
			return out, err
		}
	}
}

func TestFileSourceFast(t *testing.T) {
	src, err := OpenFile("testdata/tone_48k_stereo_s16.wav", FileOptions{Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	got, err := readAll(t, src)
	if !errors.Is(err, io.EOF) || len(got) != 1600 || src.Len() != 1600 {
		t.Fatalf("read %d samples, err %v; want 1600 then io.EOF", len(got), err)
	}
}

func TestFileSourceRealTime(t *testing.T) {
	src := NewFileSource(make([]float32, SampleRate/4), FileOptions{}) // 250 ms
	defer src.Close()
	start := time.Now()
	got, err := readAll(t, src)
	elapsed := time.Since(start)
	if !errors.Is(err, io.EOF) || len(got) != SampleRate/4 {
		t.Fatalf("read %d samples, err %v", len(got), err)
	}
	if elapsed < 230*time.Millisecond || elapsed > 600*time.Millisecond {
		t.Fatalf("250 ms of audio took %v", elapsed)
	}
}

func TestFileSourceCancelAndClose(t *testing.T) {
	src := NewFileSource(make([]float32, SampleRate*10), FileOptions{})
	p := make([]float32, SampleRate)
	if _, err := src.Read(context.Background(), p); err != nil { // starts the clock
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if err := firstReadErr(ctx, src, p); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline", err)
	}
	go func() { time.Sleep(20 * time.Millisecond); src.Close() }()
	if err := firstReadErr(context.Background(), src, p); !errors.Is(err, ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
}

// firstReadErr reads from s into p until a Read fails and returns its error.
func firstReadErr(ctx context.Context, s Source, p []float32) error {
	for {
		if _, err := s.Read(ctx, p); err != nil {
			return err
		}
	}
}

func TestOpenFileErrors(t *testing.T) {
	if _, err := OpenFile("testdata/missing.wav", FileOptions{}); err == nil {
		t.Fatal("missing file opened")
	}
}
