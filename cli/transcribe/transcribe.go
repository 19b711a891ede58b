// Package transcribe is `parley transcribe`: WAV files to text with the
// configured VAD and ASR engine, batched and in parallel.
package transcribe

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"time"

	"parley/app"
	"parley/audio"
	"parley/cli"
	"parley/pipeline/asr"
)

const transcribeUsage = `Usage: parley transcribe FILE... [--device cpu|cuda:N] [--batch N] [--parallel N] [--json] [--config FILE]

Transcribes WAV files (any rate, channels, PCM or float): converts each to
16 kHz mono, cuts it into utterances with the VAD (Silero when its model and
ONNX Runtime are there, else the energy detector), recognises each utterance
with the configured ASR engine, and prints one line per file: "FILE: text".
A file is read a chunk at a time and recognised as it is read, so an hour
takes no more memory than a minute.
With --json it prints one JSON object per file instead:
  {"file","text","segments":[{"start","end","text"}],"device","engine","rtf"}
(times in seconds; rtf = processing time / audio duration). With Whisper each
segment also has "language": the code of the language it was decoded in
(detected per utterance when asr.whisper.language is auto).

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
	files, err := cli.ParseInterleaved(fs, args)
	if err != nil {
		return o, err
	}
	o.files = files
	switch {
	case len(files) == 0:
		err = fmt.Errorf("transcribe: no FILE given (see parley transcribe --help)")
	case o.device != "":
		o.device, err = cli.ParseDevice("transcribe: --device", o.device)
	case o.batch < 0 || o.parallel < 0:
		err = fmt.Errorf("transcribe: --batch and --parallel must be at least 1")
	}
	return o, cli.Usage(err)
}

// Run runs `parley transcribe`.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseTranscribeFlags(args, stderr)
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
	s       *app.Engines
	opts    transcribeOptions
	segOpts audio.SegmenterOptions
}

// openTranscriber builds the VAD and the ASR engine as the assistant does,
// so that transcribe runs exactly what the assistant runs.
func openTranscriber(ctx context.Context, o transcribeOptions, stderr io.Writer) (*transcriber, error) {
	loaded, err := cli.LoadConfig(ctx, o.configPath)
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
	// Batch runs share the cores: onnx.intra_op_threads = 0 splits them.
	cfg.ONNX.IntraOpThreads = cfg.ONNX.IntraOpFor(o.parallel, runtime.NumCPU())
	s, err := app.OpenEngines(ctx, cfg, app.RoleVAD|app.RoleASR)
	if err != nil {
		return nil, err
	}
	t := &transcriber{s: s, opts: o, segOpts: app.SegmenterOptions(cfg.VAD)}
	t.notify(stderr)
	return t, nil
}

// notify says on stderr what the session noticed, and when the engine does
// not run where --device asked.
func (t *transcriber) notify(stderr io.Writer) {
	for _, n := range t.s.Notices {
		fmt.Fprintf(stderr, "parley: %s\n", n)
	}
	if want := t.s.Config.ASR.Device; want != t.s.ASR.Device() {
		fmt.Fprintf(stderr, "parley: ASR %s runs on %s, not %s\n", t.s.ASR.Name(), t.s.ASR.Device(), want)
	}
}

// Close releases the engines.
func (t *transcriber) Close() { _ = t.s.Close() }

// utterance is one stretch of speech found by the VAD.
type utterance struct {
	start    int64     // sample offset in the file
	samples  []float32 // nil once recognised
	length   int64     // samples, kept once they are dropped
	text     string
	language string // Whisper's language code; "" for other engines
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
	Start    float64 `json:"start"`
	End      float64 `json:"end"`
	Text     string  `json:"text"`
	Language string  `json:"language,omitempty"`
}

// transcribeFile streams one file through the VAD, the segmenter and the
// recogniser, and prints it. Its memory does not depend on the file's
// length: the file is read a chunk at a time and recognised a window of
// utterances at a time.
func (t *transcriber) transcribeFile(ctx context.Context, file string, stdout, stderr io.Writer) error {
	s, err := audio.OpenWAVStream(file)
	if err != nil {
		return err
	}
	defer s.Close()
	began := time.Now()
	total := int64(s.Len())
	bar := t.progress(stderr, file, s.Len())
	utts, err := t.scan(ctx, s, func(read int64) { bar.Update(read, total) })
	bar.Done()
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	res := t.result(file, utts, s.Len(), time.Since(began))
	return printResult(stdout, res, t.opts.jsonOut)
}

// longFile is the audio length from which a terminal gets a progress bar.
const longFile = 30 * audio.SampleRate

// progress returns a bar for a long file on a terminal, else a silent one.
func (t *transcriber) progress(stderr io.Writer, file string, samples int) *cli.Progress {
	if samples < longFile || !cli.IsTerminal(stderr) {
		return cli.NewProgress(io.Discard, file, cli.ProgressOptions{})
	}
	return cli.NewProgress(stderr, file, cli.ProgressOptions{})
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

// recognize fills in each utterance's text: --parallel runs of --batch
// utterances (one for engines that do not batch).
func (t *transcriber) recognize(ctx context.Context, utts []utterance) error {
	segs := make([][]float32, len(utts))
	for i, u := range utts {
		segs[i] = u.samples
	}
	opts := asr.BatchOptions{BatchSize: t.opts.batch, Parallel: t.opts.parallel}
	if w, ok := t.s.ASR.(languageRecognizer); ok {
		res, err := asr.TranscribeWith(ctx, segs, opts, w.Recognize)
		for i := range res {
			utts[i].text, utts[i].language = strings.TrimSpace(res[i].Text), res[i].Language
		}
		return err
	}
	texts, err := asr.Transcribe(ctx, t.s.ASR, segs, opts)
	if err != nil {
		return err
	}
	for i := range utts {
		utts[i].text = strings.TrimSpace(texts[i])
	}
	return nil
}

// languageRecognizer is an engine that says each segment's language
// (Whisper).
type languageRecognizer interface {
	Recognize(ctx context.Context, segments [][]float32) ([]asr.WhisperResult, error)
}

// result assembles what is printed for one file.
func (t *transcriber) result(file string, utts []utterance, samples int, took time.Duration) fileResult {
	res := fileResult{File: file, Segments: []segmentResult{}, Device: t.s.ASR.Device(), Engine: t.s.ASR.Name()}
	var texts []string
	for _, u := range utts {
		start := float64(u.start) / audio.SampleRate
		end := start + float64(u.length)/audio.SampleRate
		res.Segments = append(res.Segments, segmentResult{Start: round3(start), End: round3(end), Text: u.text, Language: u.language})
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
