package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"parley/audio"
	"parley/pipeline/tts"
)

// Sentences returns the sentences the default benchmark speaks with flite
// and synthesises with each TTS engine: short commands and questions such
// as a voice assistant hears.
func Sentences() []string {
	return []string{
		"what time is it in tokyo right now",
		"turn the music down a little please",
		"remind me to call my sister tomorrow morning",
		"how long does it take to boil an egg",
		"open the pull request and show me the failing test",
		"the quick brown fox jumps over the lazy dog",
		"move speech recognition to the graphics card",
		"read me the last three messages from the team",
	}
}

// FliteSpeech speaks each sentence with flite voice and returns the
// utterances at 16 kHz, each with its sentence as the reference text.
func FliteSpeech(ctx context.Context, voice string, sentences []string) ([]Input, error) {
	f, err := tts.NewFlite(ctx, tts.FliteOptions{Voice: voice})
	if err != nil {
		return nil, fmt.Errorf("flite speech: %w", err)
	}
	defer f.Close()
	out := make([]Input, 0, len(sentences))
	for i, s := range sentences {
		a, err := f.Synthesize(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("flite speech %q: %w", s, err)
		}
		samples, err := audio.ToMono16k(audio.Audio{Samples: a.Samples, Rate: a.SampleRate, Channels: 1})
		if err != nil {
			return nil, fmt.Errorf("flite speech: %w", err)
		}
		out = append(out, Input{ID: fmt.Sprintf("flite-%s#%d", voice, i), Samples: samples, Text: s})
	}
	return out, nil
}

// WAVInputs reads WAV files: each path is a file, or a folder whose *.wav
// files are read in name order. Every file becomes one 16 kHz utterance
// named by its base name. A folder's file that cannot be read is an error
// that names it.
func WAVInputs(paths []string) ([]Input, error) {
	var files []string
	for _, p := range paths {
		found, err := wavFiles(p)
		if err != nil {
			return nil, err
		}
		files = append(files, found...)
	}
	out := make([]Input, 0, len(files))
	for _, f := range files {
		a, err := audio.ReadWAV(f)
		if err != nil {
			return nil, fmt.Errorf("audio %s: %w", f, err)
		}
		samples, err := audio.ToMono16k(a)
		if err != nil {
			return nil, fmt.Errorf("audio %s: %w", f, err)
		}
		out = append(out, Input{ID: filepath.Base(f), Samples: samples})
	}
	return out, nil
}

// wavFiles is path itself, or the *.wav files in the folder path.
func wavFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("audio: %w", err)
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	files, err := filepath.Glob(filepath.Join(path, "*.wav"))
	if err != nil {
		return nil, fmt.Errorf("audio %s: %w", path, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("audio %s: no .wav files", path)
	}
	slices.Sort(files)
	return files, nil
}

// LibrivoxClips reads the librivox clips of Debian's pocketsphinx-testdata
// from dir (…/test/data/librivox) with their transcripts; none when the
// package is not installed.
func LibrivoxClips(dir string) ([]Input, error) {
	data, err := os.ReadFile(filepath.Join(dir, "transcription"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("librivox clips: %w", err)
	}
	var out []Input
	for line := range strings.Lines(string(data)) {
		text, id, ok := parseTranscript(line)
		if !ok {
			continue
		}
		in, err := WAVInputs([]string{filepath.Join(dir, id+".wav")})
		if err != nil {
			return nil, fmt.Errorf("librivox clips: %w", err)
		}
		in[0].Text = text
		out = append(out, in[0])
	}
	return out, nil
}

// parseTranscript splits "<s> words </s> (id)".
func parseTranscript(line string) (text, id string, ok bool) {
	line = strings.TrimSpace(line)
	open := strings.LastIndex(line, "(")
	if open < 0 || !strings.HasSuffix(line, ")") {
		return "", "", false
	}
	id = line[open+1 : len(line)-1]
	text = strings.NewReplacer("<s>", "", "</s>", "").Replace(line[:open])
	return strings.Join(strings.Fields(text), " "), id, id != ""
}

// Stream joins the inputs' audio into one stream (for cutting chunks).
func Stream(inputs []Input) []float32 {
	var n int
	for _, in := range inputs {
		n += len(in.Samples)
	}
	out := make([]float32, 0, n)
	for _, in := range inputs {
		out = append(out, in.Samples...)
	}
	return out
}

// TextInputs makes TTS inputs of sentences, named "sentence#i".
func TextInputs(sentences []string) []Input {
	out := make([]Input, len(sentences))
	for i, s := range sentences {
		out[i] = Input{ID: fmt.Sprintf("sentence#%d", i), Text: s}
	}
	return out
}

// TotalSeconds is the audio duration of all inputs.
func TotalSeconds(inputs []Input) float64 {
	var s float64
	for _, in := range inputs {
		s += in.Seconds()
	}
	return s
}
