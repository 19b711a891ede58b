package asr

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Debian's pocketsphinx-en-us model, the defaults of PocketsphinxOptions.
const (
	// DefaultPocketsphinxModelDir is the en-us acoustic model directory.
	DefaultPocketsphinxModelDir = "/usr/share/pocketsphinx/model/en-us/en-us"
	// DefaultPocketsphinxDict is the CMU pronunciation dictionary.
	DefaultPocketsphinxDict = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"
	// DefaultPocketsphinxLM is the full en-us trigram language model.
	DefaultPocketsphinxLM = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin"
)

var _ Engine = (*Pocketsphinx)(nil)

// PocketsphinxOptions configures NewPocketsphinx. Empty fields take the
// defaults of Debian's en-us model.
type PocketsphinxOptions struct {
	// ModelDir is the acoustic model directory (asr.pocketsphinx.model_dir).
	ModelDir string
	// Dict is the pronunciation dictionary (asr.pocketsphinx.dict).
	Dict string
	// LM is the n-gram language model (asr.pocketsphinx.lm).
	LM string
	// LogFile receives pocketsphinx's own log (it is appended to); empty
	// discards it. pocketsphinx never writes to stderr. Its logger is
	// process-wide: the last decoder created picks the file for all, so
	// give every decoder of a process the same LogFile.
	LogFile string
	// SampleRate of the audio fed to streams; only 16000 (the default)
	// matches the en-us acoustic model.
	SampleRate int
}

// Pocketsphinx is the embedded CPU recogniser (CMU pocketsphinx through
// cgo). It implements Engine.
//
// The decoder is not thread safe and holds one utterance at a time, so an
// engine serves one Stream at a time: NewStream waits until the open stream
// is closed (or its ctx ends). Create one engine per concurrent stream;
// each takes 0.3-0.9 s to start and about 95 MB of memory.
type Pocketsphinx struct {
	slot       chan struct{} // holds a token while a stream is open
	mu         sync.Mutex    // guards dec; every C call happens under it
	dec        *psDecoder    // nil once closed
	sampleRate int
}

// NewPocketsphinx checks the model files and starts a decoder.
func NewPocketsphinx(ctx context.Context, opts PocketsphinxOptions) (*Pocketsphinx, error) {
	opts = opts.withDefaults()
	if err := opts.check(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("start pocketsphinx: %w", err)
	}
	dec, err := newPSDecoder(opts.LogFile, opts.args())
	if err != nil {
		return nil, fmt.Errorf("start pocketsphinx with model %s: %w", opts.ModelDir, err)
	}
	return &Pocketsphinx{slot: make(chan struct{}, 1), dec: dec, sampleRate: opts.SampleRate}, nil
}

func (o PocketsphinxOptions) withDefaults() PocketsphinxOptions {
	if o.ModelDir == "" {
		o.ModelDir = DefaultPocketsphinxModelDir
	}
	if o.Dict == "" {
		o.Dict = DefaultPocketsphinxDict
	}
	if o.LM == "" {
		o.LM = DefaultPocketsphinxLM
	}
	if o.LogFile == "" {
		o.LogFile = os.DevNull
	}
	if o.SampleRate == 0 {
		o.SampleRate = 16000
	}
	return o
}

// check reports the first missing model file with its config key.
func (o PocketsphinxOptions) check() error {
	if o.SampleRate != 16000 {
		return fmt.Errorf("pocketsphinx sample rate %d Hz, want 16000: %w", o.SampleRate, ErrSampleRate)
	}
	files := []struct{ key, path string }{
		{"asr.pocketsphinx.model_dir", o.ModelDir},
		{"asr.pocketsphinx.model_dir", filepath.Join(o.ModelDir, "mdef")},
		{"asr.pocketsphinx.dict", o.Dict},
		{"asr.pocketsphinx.lm", o.LM},
	}
	for _, f := range files {
		if _, err := os.Stat(f.path); err != nil {
			return fmt.Errorf("%s: %s: %w (%w)", f.key, f.path, ErrModelMissing, err)
		}
	}
	return nil
}

func (o PocketsphinxOptions) args() []string {
	return []string{
		"-hmm", o.ModelDir,
		"-dict", o.Dict,
		"-lm", o.LM,
		"-samprate", fmt.Sprint(o.SampleRate),
	}
}

// Name implements Engine.
func (p *Pocketsphinx) Name() string { return "pocketsphinx" }

// Device implements Engine; pocketsphinx runs on the CPU only.
func (p *Pocketsphinx) Device() string { return "cpu" }

// NewStream implements Engine. It starts an utterance, waiting while
// another stream of this engine is open.
func (p *Pocketsphinx) NewStream(ctx context.Context) (Stream, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("pocketsphinx new stream: %w", err)
	}
	select {
	case p.slot <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("pocketsphinx: wait for the open stream: %w", ctx.Err())
	}
	s := &psStream{p: p}
	if err := p.do(func(d *psDecoder) error { return d.start() }); err != nil {
		<-p.slot
		return nil, err
	}
	return s, nil
}

// Close implements Engine. It frees the decoder at once; calls on a stream
// still open then return ErrClosed.
func (p *Pocketsphinx) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dec != nil {
		p.dec.free()
		p.dec = nil
	}
	return nil
}

// do runs f on the decoder under the lock.
func (p *Pocketsphinx) do(f func(d *psDecoder) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dec == nil {
		return fmt.Errorf("pocketsphinx: %w", ErrClosed)
	}
	return f(p.dec)
}

// psStream is one utterance on a Pocketsphinx decoder.
type psStream struct {
	p       *Pocketsphinx
	mu      sync.Mutex // guards the fields below
	done    bool       // Finish or Close was called
	samples int
}

// Accept implements Stream.
func (s *psStream) Accept(ctx context.Context, samples []float32) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pocketsphinx accept: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return fmt.Errorf("pocketsphinx accept: %w", ErrStreamDone)
	}
	s.samples += len(samples)
	return s.p.do(func(d *psDecoder) error { return d.process(samples) })
}

// Partial implements Stream.
func (s *psStream) Partial(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("pocketsphinx partial: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return "", fmt.Errorf("pocketsphinx partial: %w", ErrStreamDone)
	}
	var hyp string
	err := s.p.do(func(d *psDecoder) error { hyp = d.hyp(); return nil })
	return hyp, err
}

// Finish implements Stream. It ends the utterance, even when ctx is done,
// so that the decoder is ready for the next stream.
func (s *psStream) Finish(ctx context.Context) (Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return Result{}, fmt.Errorf("pocketsphinx finish: %w", ErrStreamDone)
	}
	s.done = true
	res := Result{AudioSeconds: float64(s.samples) / float64(s.p.sampleRate)}
	err := s.p.do(func(d *psDecoder) error {
		if err := d.end(); err != nil {
			return err
		}
		res.Text = d.hyp()
		return nil
	})
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("pocketsphinx finish: %w", ctx.Err())
	}
	return res, err
}

// Close implements Stream. Before Finish it abandons the utterance; either
// way it lets the engine open its next stream.
func (s *psStream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.p == nil {
		return nil
	}
	var err error
	if !s.done {
		s.done = true
		err = s.p.do(func(d *psDecoder) error { return d.end() })
		if errors.Is(err, ErrClosed) {
			err = nil
		}
	}
	<-s.p.slot
	s.p = nil
	return err
}
