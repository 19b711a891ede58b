package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"parley/audio"
	"parley/config"
	"parley/pipeline/asr"
)

const transcribeUsage = `Usage: parley transcribe FILE... [--device cpu|cuda:N] [--batch N] [--parallel N] [--json] [--config FILE]

Transcribes WAV files (any rate, channels, PCM or float): converts each to
16 kHz mono, cuts it into utterances with the VAD (Silero when its model and
ONNX Runtime are there, else the energy detector), recognises each utterance
with the configured ASR engine, and prints one line per file: "FILE: text".
With --json it prints one JSON object per file instead:
  {"file","text","segments":[{"start","end","text"}],"device","engine","rtf"}
(times in seconds; rtf = processing time / audio duration).

A file that cannot be read is reported on stderr, naming it; the other files
are still transcribed, and the exit status is 1.

pocketsphinx has a single decoder: it recognises utterances one at a time,
whatever --batch and --parallel say. Engines that recognise batches (the ONNX
engines) get --batch utterances per run, on --parallel workers.

Flags:
`

// transcribeOptions are the flags of `parley transcribe`.
type transcribeOptions struct {
	configPath string
	device     string
	batch      int
	parallel   int
	jsonOut    bool
	files      []string
}

// validDevice reports whether d is "cpu" or "cuda:N".
func validDevice(d string) bool {
	n, ok := strings.CutPrefix(d, "cuda:")
	if !ok {
		return d == "cpu"
	}
	_, err := strconv.Atoi(n)
	return err == nil && n != "" && n[0] != '-' && n[0] != '+'
}

// parseTranscribeFlags parses transcribe's own flags and file arguments.
func parseTranscribeFlags(args []string, stderr io.Writer) (transcribeOptions, error) {
	o := transcribeOptions{}
	fs := flag.NewFlagSet("parley transcribe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.configPath, "config", "", "configuration `file` applied over the defaults")
	fs.StringVar(&o.device, "device", "", "where the ASR engine runs: cpu or cuda:N (default: asr.device)")
	fs.IntVar(&o.batch, "batch", 0, "utterances per model run, for engines that batch (default: asr.batch_size)")
	fs.IntVar(&o.parallel, "parallel", 0, "utterances (or batches) recognised at the same time (default: asr.parallel)")
	fs.BoolVar(&o.jsonOut, "json", false, "print one JSON object per file")
	fs.Usage = func() { fmt.Fprint(fs.Output(), transcribeUsage); fs.PrintDefaults() }
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return o, err
	}
	o.files = files
	switch {
	case len(files) == 0:
		return o, fmt.Errorf("transcribe: no FILE given (see parley transcribe --help)")
	case o.device != "" && !validDevice(o.device):
		return o, fmt.Errorf("transcribe: --device %q; want cpu or cuda:N", o.device)
	case o.batch < 0 || o.parallel < 0:
		return o, fmt.Errorf("transcribe: --batch and --parallel must be at least 1")
	}
	return o, nil
}

// transcribeCommand runs `parley transcribe`.
func transcribeCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseTranscribeFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	t, err := openTranscriber(ctx, o, stderr)
	if err != nil {
		return err
	}
	defer t.Close()
	failed := 0
	for _, file := range o.files {
		if err := t.transcribeFile(ctx, file, stdout, stderr); err != nil {
			if ctx.Err() != nil {
				return err
			}
			fmt.Fprintf(stderr, "parley: transcribe: %v\n", err)
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("transcribe: %d of %d files failed", failed, len(o.files))
	}
	return nil
}

// transcriber holds the engines built once for all files.
type transcriber struct {
	s       *session
	opts    transcribeOptions
	segOpts audio.SegmenterOptions
}

// openTranscriber builds the VAD and the ASR engine with the session's own
// steps, so that transcribe runs exactly what the assistant runs.
func openTranscriber(ctx context.Context, o transcribeOptions, stderr io.Writer) (*transcriber, error) {
	loaded, err := config.Load(defaultConfig, config.DefaultLocations(o.configPath))
	if err != nil {
		return nil, err
	}
	cfg := loaded.Config
	if o.device != "" {
		cfg.ASR.Device = o.device
	}
	if o.batch == 0 {
		o.batch = cfg.ASR.BatchSize
	}
	if o.parallel == 0 {
		o.parallel = cfg.ASR.Parallel
	}
	s := &session{cfg: cfg, stateDir: stateDir(cfg), asrRuns: o.parallel}
	if err := os.MkdirAll(s.stateDir, 0o755); err != nil {
		return nil, fmt.Errorf("state folder %s (log.dir): %w", s.stateDir, err)
	}
	for _, step := range []func(context.Context, options) error{s.openRuntime, s.openModels, s.openVAD, s.openASR} {
		if err := step(ctx, options{configPath: o.configPath}); err != nil {
			s.Close()
			return nil, err
		}
	}
	t := &transcriber{s: s, opts: o, segOpts: segmenterOptions(cfg)}
	t.notify(stderr)
	return t, nil
}

// notify says on stderr what the session noticed, and when the engine does
// not run where --device asked.
func (t *transcriber) notify(stderr io.Writer) {
	for _, n := range t.s.notices {
		fmt.Fprintf(stderr, "parley: %s\n", n)
	}
	if want := t.s.cfg.ASR.Device; want != t.s.asr.Device() {
		fmt.Fprintf(stderr, "parley: ASR %s runs on %s, not %s\n", t.s.asr.Name(), t.s.asr.Device(), want)
	}
}

// segmenterOptions maps the [vad] table to the segmenter's options.
func segmenterOptions(cfg config.Config) audio.SegmenterOptions {
	v := cfg.VAD
	return audio.SegmenterOptions{
		Threshold: float32(v.Threshold), NegThreshold: float32(v.NegThreshold),
		MinSpeech: v.MinSpeech.Duration, MinSilence: v.MinSilence.Duration,
		PreRoll: v.PreRoll.Duration, MaxUtterance: v.MaxUtterance.Duration,
	}
}

// Close releases the engines.
func (t *transcriber) Close() { t.s.Close() }

// utterance is one stretch of speech found by the VAD.
type utterance struct {
	start   int64 // sample offset in the file
	samples []float32
	text    string
}

// fileResult is what `--json` prints for one file.
type fileResult struct {
	File     string          `json:"file"`
	Text     string          `json:"text"`
	Segments []segmentResult `json:"segments"`
	Device   string          `json:"device"`
	Engine   string          `json:"engine"`
	RTF      float64         `json:"rtf"`
}

// segmentResult is one utterance of a fileResult; times in seconds.
type segmentResult struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	Text  string  `json:"text"`
}

// transcribeFile reads, segments and recognises one file and prints it.
func (t *transcriber) transcribeFile(ctx context.Context, file string, stdout, stderr io.Writer) error {
	a, err := audio.ReadWAV(file)
	if err != nil {
		return err
	}
	samples, err := audio.ToMono16k(a)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	began := time.Now()
	bar, n := t.progress(stderr, file, len(samples)), int64(len(samples))
	// The bar's first half is the VAD pass, its second half recognition.
	utts, err := t.segment(ctx, samples, func(done int64) { bar.update(done, 2*n) })
	if err == nil {
		err = t.recognize(ctx, utts, func(done, total int64) { bar.update(n+done*n/max(total, 1), 2*n) })
	}
	bar.done()
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	res := t.result(file, utts, len(samples), time.Since(began))
	return printResult(stdout, res, t.opts.jsonOut)
}

// longFile is the audio length from which a terminal gets a progress bar.
const longFile = 30 * audio.SampleRate

// progress returns a bar for a long file on a terminal, else a silent one.
func (t *transcriber) progress(stderr io.Writer, file string, samples int) *progressBar {
	if samples < longFile || !isTerminal(stderr) {
		return newProgressBar(io.Discard, file, nil)
	}
	return newProgressBar(stderr, file, nil)
}

// segment runs the VAD over the file and returns its utterances; report
// gets the samples scanned so far.
func (t *transcriber) segment(ctx context.Context, samples []float32, report func(int64)) ([]utterance, error) {
	seg, err := audio.NewSegmenter(t.segOpts)
	if err != nil {
		return nil, fmt.Errorf("vad: %w", err)
	}
	t.s.vad.Reset()
	var utts []utterance
	frame := make([]float32, audio.FrameSize)
	for off := 0; off < len(samples); off += audio.FrameSize {
		n := copy(frame, samples[off:min(off+audio.FrameSize, len(samples))])
		clear(frame[n:]) // the last frame is scored zero-padded
		prob, err := t.s.vad.Prob(ctx, frame)
		if err != nil {
			return nil, fmt.Errorf("vad %s: %w", t.s.vadName, err)
		}
		utts = appendEnded(utts, seg.Push(prob, frame[:n]))
		report(int64(off + n))
	}
	utts = appendEnded(utts, seg.Flush())
	return splitLong(utts, t.s.cfg.ASR.MaxChunkSeconds), nil
}

// splitLong cuts utterances longer than maxSeconds at their quietest point
// near the limit (asr.max_chunk_seconds), keeping each piece's offset.
func splitLong(utts []utterance, maxSeconds float64) []utterance {
	out := make([]utterance, 0, len(utts))
	for _, u := range utts {
		off := u.start
		for _, chunk := range asr.SplitLong(u.samples, maxSeconds) {
			out = append(out, utterance{start: off, samples: chunk})
			off += int64(len(chunk))
		}
	}
	return out
}

// appendEnded keeps the utterances that events complete.
func appendEnded(utts []utterance, evs []audio.Event) []utterance {
	for _, ev := range evs {
		if ev.Kind == audio.SpeechEnd {
			utts = append(utts, utterance{start: ev.Offset, samples: ev.Utterance})
		}
	}
	return utts
}

// recognize fills in each utterance's text: --parallel workers take groups
// of --batch utterances (1 for engines that do not batch). report gets the
// samples recognised so far and their total.
func (t *transcriber) recognize(ctx context.Context, utts []utterance, report func(done, total int64)) error {
	groups := t.groups(len(utts))
	work := make(chan [2]int)
	var errs []error
	var wg sync.WaitGroup
	var mu sync.Mutex
	var done int64
	total := samplesIn(utts)
	for w := 0; w < min(t.opts.parallel, len(groups)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for g := range work {
				err := t.recognizeGroup(ctx, utts[g[0]:g[1]])
				mu.Lock()
				errs = append(errs, err)
				done += samplesIn(utts[g[0]:g[1]])
				report(done, total)
				mu.Unlock()
			}
		}()
	}
	feed(ctx, work, groups)
	wg.Wait()
	return errors.Join(append(errs, ctx.Err())...)
}

// feed sends the groups to the workers, stopping early on cancellation.
func feed(ctx context.Context, work chan<- [2]int, groups [][2]int) {
	defer close(work)
	for _, g := range groups {
		select {
		case work <- g:
		case <-ctx.Done():
			return
		}
	}
}

// groups splits n utterances into [from, to) runs of --batch (or of one,
// when the engine does not batch).
func (t *transcriber) groups(n int) [][2]int {
	size := 1
	if _, ok := t.s.asr.(batchRecognizer); ok {
		size = t.opts.batch
	}
	var out [][2]int
	for from := 0; from < n; from += size {
		out = append(out, [2]int{from, min(from+size, n)})
	}
	return out
}

func samplesIn(utts []utterance) int64 {
	var n int64
	for _, u := range utts {
		n += int64(len(u.samples))
	}
	return n
}

// batchRecognizer is implemented by ASR engines that recognise several
// utterances in one model run (the ONNX engines); other engines get one
// stream per utterance.
type batchRecognizer interface {
	RecognizeBatch(ctx context.Context, segments [][]float32) ([]string, error)
}

// recognizeGroup recognises a group of utterances in place.
func (t *transcriber) recognizeGroup(ctx context.Context, utts []utterance) error {
	if b, ok := t.s.asr.(batchRecognizer); ok && len(utts) > 1 {
		batch := make([][]float32, len(utts))
		for i, u := range utts {
			batch[i] = u.samples
		}
		texts, err := b.RecognizeBatch(ctx, batch)
		if err != nil {
			return fmt.Errorf("%s: batch of %d: %w", t.s.asr.Name(), len(utts), err)
		}
		if len(texts) != len(utts) {
			return fmt.Errorf("%s: batch of %d gave %d texts", t.s.asr.Name(), len(utts), len(texts))
		}
		for i := range utts {
			utts[i].text = strings.TrimSpace(texts[i])
		}
		return nil
	}
	for i := range utts {
		text, err := recognizeOne(ctx, t.s.asr, utts[i].samples)
		if err != nil {
			return err
		}
		utts[i].text = text
	}
	return nil
}

// recognizeOne runs one utterance through a stream of e.
func recognizeOne(ctx context.Context, e asr.Engine, samples []float32) (string, error) {
	st, err := e.NewStream(ctx)
	if err != nil {
		return "", fmt.Errorf("%s: %w", e.Name(), err)
	}
	defer st.Close()
	if err := st.Accept(ctx, samples); err != nil {
		return "", fmt.Errorf("%s: %w", e.Name(), err)
	}
	res, err := st.Finish(ctx)
	if err != nil {
		return "", fmt.Errorf("%s: %w", e.Name(), err)
	}
	return strings.TrimSpace(res.Text), nil
}

// result assembles what is printed for one file.
func (t *transcriber) result(file string, utts []utterance, samples int, took time.Duration) fileResult {
	res := fileResult{File: file, Segments: []segmentResult{}, Device: t.s.asr.Device(), Engine: t.s.asr.Name()}
	var texts []string
	for _, u := range utts {
		start := float64(u.start) / audio.SampleRate
		end := start + float64(len(u.samples))/audio.SampleRate
		res.Segments = append(res.Segments, segmentResult{Start: round3(start), End: round3(end), Text: u.text})
		if u.text != "" {
			texts = append(texts, u.text)
		}
	}
	res.Text = strings.Join(texts, " ")
	if samples > 0 {
		res.RTF = round3(took.Seconds() / (float64(samples) / audio.SampleRate))
	}
	return res
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// printResult writes one file's result as a line of text or of JSON.
func printResult(w io.Writer, res fileResult, asJSON bool) error {
	if asJSON {
		if err := json.NewEncoder(w).Encode(res); err != nil {
			return fmt.Errorf("%s: %w", res.File, err)
		}
		return nil
	}
	_, err := fmt.Fprintf(w, "%s: %s\n", res.File, res.Text)
	return err
}
