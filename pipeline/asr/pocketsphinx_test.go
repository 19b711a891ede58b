package asr_test

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/internal/testenv"
	"parley/pipeline/asr"
)

func TestPocketsphinxGoForward(t *testing.T) {
	samples := readRaw16(t, testenv.TestData(t, "goforward.raw"))
	p := newDecoder(t)
	if p.Name() != "pocketsphinx" || p.Device() != "cpu" {
		t.Errorf("Name, Device = %q, %q", p.Name(), p.Device())
	}
	d := decodeChunks(t, p, samples, 1600)
	if wer := asr.WER("go forward ten meters", d.text); wer > 0.25 {
		t.Errorf("heard %q, WER %.0f%%", d.text, wer*100)
	}
	if want := float64(len(samples)) / 16000; d.audio != want {
		t.Errorf("AudioSeconds = %v, want %v", d.audio, want)
	}
	if d.partials == 0 {
		t.Error("Partial never returned text while audio was fed")
	}
}

// librivoxClip is one recording of pocketsphinx-testdata with its transcript.
type librivoxClip struct{ id, text string }

func librivoxClips(t testing.TB) []librivoxClip {
	t.Helper()
	f, err := os.Open(testenv.TestData(t, "librivox/transcription"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line := regexp.MustCompile(`^<s> (.*) </s> \((\S+)\)$`)
	var clips []librivoxClip
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := line.FindStringSubmatch(strings.TrimSpace(sc.Text())); m != nil {
			clips = append(clips, librivoxClip{id: m[2], text: m[1]})
		}
	}
	if len(clips) == 0 {
		t.Fatal("no transcripts in librivox/transcription")
	}
	return clips
}

// TestPocketsphinxLibrivox decodes real read speech. The bound is loose:
// the en-us model gets about a third of these words wrong; the test guards
// against a broken front end (scaling, sample rate), not model quality.
func TestPocketsphinxLibrivox(t *testing.T) {
	clips := librivoxClips(t)
	p := newDecoder(t)
	var edits, words int
	var audio float64
	var took time.Duration
	for _, c := range clips {
		samples, rate := readWAV16(t, testenv.TestData(t, "librivox/"+c.id+".wav"))
		d := decodeChunks(t, p, resample(samples, rate, 16000), 1600)
		e, n := asr.WordErrors(c.text, d.text)
		t.Logf("%s: WER %3.0f%% heard %q", c.id, 100*float64(e)/float64(n), d.text)
		edits, words, audio, took = edits+e, words+n, audio+d.audio, took+d.elapsed
	}
	wer := float64(edits) / float64(words)
	t.Logf("librivox: %d clips, %.1f s of speech, WER %.1f%% (%d/%d), RTF %.3f",
		len(clips), audio, 100*wer, edits, words, took.Seconds()/audio)
	if wer >= 0.6 {
		t.Errorf("WER %.1f%% on librivox, want < 60%%", 100*wer)
	}
}

func TestPocketsphinxMissingModel(t *testing.T) {
	dir := t.TempDir()
	emptyModel := filepath.Join(dir, "model")
	if err := os.Mkdir(emptyModel, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts asr.PocketsphinxOptions
		key  string
		file string
	}{
		{"model dir", asr.PocketsphinxOptions{ModelDir: filepath.Join(dir, "nope")}, "asr.pocketsphinx.model_dir", filepath.Join(dir, "nope")},
		{"model dir without mdef", asr.PocketsphinxOptions{ModelDir: emptyModel}, "asr.pocketsphinx.model_dir", filepath.Join(emptyModel, "mdef")},
		{"dict", asr.PocketsphinxOptions{Dict: filepath.Join(dir, "x.dict")}, "asr.pocketsphinx.dict", filepath.Join(dir, "x.dict")},
		{"lm", asr.PocketsphinxOptions{LM: filepath.Join(dir, "x.lm.bin")}, "asr.pocketsphinx.lm", filepath.Join(dir, "x.lm.bin")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := asr.NewPocketsphinx(context.Background(), tt.opts)
			if !errors.Is(err, asr.ErrModelMissing) {
				t.Fatalf("err = %v, want ErrModelMissing", err)
			}
			if !strings.Contains(err.Error(), tt.key) || !strings.Contains(err.Error(), tt.file) {
				t.Errorf("error %q does not name %s and %s", err, tt.key, tt.file)
			}
		})
	}
}

func TestPocketsphinxBadModelFile(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "broken.lm.bin")
	if err := os.WriteFile(bad, []byte("not a language model"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := asr.NewPocketsphinx(context.Background(), asr.PocketsphinxOptions{LM: bad, LogFile: filepath.Join(t.TempDir(), "log")})
	if !errors.Is(err, asr.ErrInit) {
		t.Errorf("err = %v, want ErrInit", err)
	}
}

func TestPocketsphinxBadLogFile(t *testing.T) {
	newDecoder(t).Close() // skips when the model is missing
	bad := filepath.Join(t.TempDir(), "no", "such", "dir", "ps.log")
	_, err := asr.NewPocketsphinx(context.Background(), asr.PocketsphinxOptions{LogFile: bad})
	if !errors.Is(err, asr.ErrInit) || !strings.Contains(err.Error(), bad) {
		t.Errorf("err = %v, want ErrInit naming %s", err, bad)
	}
}

func TestPocketsphinxSampleRate(t *testing.T) {
	_, err := asr.NewPocketsphinx(context.Background(), asr.PocketsphinxOptions{SampleRate: 8000})
	if !errors.Is(err, asr.ErrSampleRate) {
		t.Errorf("err = %v, want ErrSampleRate", err)
	}
}

// TestPocketsphinxOneStreamAtATime checks the chosen policy: NewStream
// waits for the open stream to close, and gives up when its ctx ends.
func TestPocketsphinxOneStreamAtATime(t *testing.T) {
	p := newDecoder(t)
	first, err := p.NewStream(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := p.NewStream(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second NewStream while one is open: %v, want DeadlineExceeded", err)
	}
	got := make(chan error, 1)
	go func() {
		s, err := p.NewStream(context.Background())
		if err == nil {
			err = s.Close()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("NewStream returned (%v) while a stream was open", err)
	case <-time.After(50 * time.Millisecond):
	}
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiting NewStream: %v", err)
	}
}

// TestPocketsphinxParallelEngines decodes on two engines at once, as
// parallel ASR workers would.
func TestPocketsphinxParallelEngines(t *testing.T) {
	samples := readRaw16(t, testenv.TestData(t, "goforward.raw"))
	engines := []*asr.Pocketsphinx{newDecoder(t), newDecoder(t)}
	want := decodeChunks(t, engines[0], samples, 1600).text
	got := make([]string, len(engines))
	var wg sync.WaitGroup
	for i, e := range engines {
		wg.Go(func() {
			for range 3 {
				d, err := decode(context.Background(), e, samples, 1600)
				if err != nil {
					t.Error(err)
					return
				}
				got[i] = d.text
			}
		})
	}
	wg.Wait()
	for i, g := range got {
		if g != want {
			t.Errorf("engine %d heard %q in parallel, %q alone", i, g, want)
		}
	}
}

func TestPocketsphinxStreamLifecycle(t *testing.T) {
	ctx := context.Background()
	p := newDecoder(t)
	s, err := p.NewStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Finish(ctx)
	if err != nil || res.Text != "" || res.AudioSeconds != 0 {
		t.Errorf("Finish with no audio = %+v, %v; want empty result", res, err)
	}
	if err := s.Accept(ctx, make([]float32, 160)); !errors.Is(err, asr.ErrStreamDone) {
		t.Errorf("Accept after Finish: %v, want ErrStreamDone", err)
	}
	if _, err := s.Finish(ctx); !errors.Is(err, asr.ErrStreamDone) {
		t.Errorf("second Finish: %v, want ErrStreamDone", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close after Finish: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestPocketsphinxCancelled(t *testing.T) {
	p := newDecoder(t)
	s, err := p.NewStream(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Accept(ctx, make([]float32, 1600)); !errors.Is(err, context.Canceled) {
		t.Errorf("Accept: %v, want context.Canceled", err)
	}
	if _, err := s.Partial(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Partial: %v, want context.Canceled", err)
	}
	if _, err := s.Finish(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Finish: %v, want context.Canceled", err)
	}
	if _, err := asr.NewPocketsphinx(ctx, asr.PocketsphinxOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("NewPocketsphinx: %v, want context.Canceled", err)
	}
}

func TestPocketsphinxCloseWithOpenStream(t *testing.T) {
	ctx := context.Background()
	p := newDecoder(t)
	s, err := p.NewStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Accept(ctx, make([]float32, 1600)); !errors.Is(err, asr.ErrClosed) {
		t.Errorf("Accept after engine Close: %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("stream Close after engine Close: %v", err)
	}
	if _, err := p.NewStream(ctx); !errors.Is(err, asr.ErrClosed) {
		t.Errorf("NewStream after Close: %v, want ErrClosed", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestPocketsphinxQuiet runs a decoder in a child process and checks that
// pocketsphinx wrote nothing to stdout or stderr, and its log to LogFile.
func TestPocketsphinxQuiet(t *testing.T) {
	if os.Getenv("PARLEY_ASR_QUIET_CHILD") != "" {
		quietChild(t)
		return
	}
	logFile := filepath.Join(t.TempDir(), "ps.log")
	cmd := exec.Command(os.Args[0], "-test.run=^TestPocketsphinxQuiet$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PARLEY_ASR_QUIET_CHILD="+logFile)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if stderr.Len() != 0 || strings.TrimSpace(stdout.String()) != "PASS" {
		t.Errorf("pocketsphinx printed:\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
	log, err := os.ReadFile(logFile)
	if err != nil || !strings.Contains(string(log), "INFO") {
		t.Errorf("log file %s has no pocketsphinx log (%v)", logFile, err)
	}
}

func quietChild(t *testing.T) {
	samples := readRaw16(t, testenv.TestData(t, "goforward.raw"))
	opts := asr.PocketsphinxOptions{LogFile: os.Getenv("PARLEY_ASR_QUIET_CHILD")}
	p, err := asr.NewPocketsphinx(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if d := decodeChunks(t, p, samples, 1600); d.text == "" {
		t.Error("child heard nothing")
	}
}
