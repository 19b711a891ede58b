package bench

import (
	"context"
	"fmt"
)

// Kind is what a model does.
type Kind string

// Model kinds.
const (
	// KindASR is a speech recogniser: audio in, text (and logits) out.
	KindASR Kind = "asr"
	// KindTTS is a speech synthesiser: text in, audio out.
	KindTTS Kind = "tts"
	// KindVAD is a voice activity detector: audio in, speech probabilities out.
	KindVAD Kind = "vad"
)

// SampleRate is the rate of every Input's Samples.
const SampleRate = 16000

// Input is one item of work, identical for every target of a kind.
type Input struct {
	// ID names the item (e.g. "slt-3#2" or "3s#14"), so that outputs of two
	// devices can be paired.
	ID string
	// Samples is 16 kHz mono audio in [-1, 1] (ASR, VAD).
	Samples []float32
	// Text is the sentence to speak (TTS), or the reference transcript of
	// the audio (ASR; "" when unknown).
	Text string
}

// Seconds returns the duration of the input's audio.
func (in Input) Seconds() float64 {
	return float64(len(in.Samples)) / SampleRate
}

// Output is what a target made of one Input.
type Output struct {
	// Text is the transcript (ASR).
	Text string
	// Values are the numbers compared between devices: CTC logits (ASR,
	// when recorded), speech probabilities (VAD) or audio samples (TTS).
	Values []float32
	// Seconds is the duration of audio produced (TTS); 0 for the others,
	// whose real-time factor is measured against the input's audio.
	Seconds float64
}

// RunFunc processes one batch and returns one Output per input, in order.
// Runs of one opened target may be called concurrently when its
// Parallels allow more than 1.
type RunFunc func(ctx context.Context, batch []Input) ([]Output, error)

// Loaded is an opened target: the function that runs batches and the one
// that releases what Open built.
type Loaded struct {
	// Run processes one batch.
	Run RunFunc
	// Close releases the engine; nil when there is nothing to release.
	Close func() error
	// Device reports where the engine runs now (nil means the target's
	// Device); a model that fell back to the CPU says so here.
	Device func() string
	// Switch moves the engine to another device while runs go on; nil
	// when it cannot move (CPU-only engines).
	Switch func(ctx context.Context, device string) error
}

// Target is one model on one device, timed at each of its batch sizes and
// parallelisms.
type Target struct {
	// Model names the model, e.g. "silero", "pocketsphinx", "sensevoice".
	Model string
	// Kind is what the model does.
	Kind Kind
	// Device is "cpu" or "cuda:N".
	Device string
	// Batches are the batch sizes to time; nil means [1].
	Batches []int
	// Parallels are the numbers of batches in flight to time; nil means [1].
	Parallels []int
	// Missing is why the target cannot run here ("" when it can); the
	// report shows it in the target's row instead of numbers.
	Missing string
	// Open builds the engine on Device.
	Open func(ctx context.Context) (Loaded, error)
}

// Name is "model/device", e.g. "silero/cuda:0".
func (t Target) Name() string {
	return t.Model + "/" + t.Device
}

// grid returns the (batch, parallel) points to time, batch-major.
func (t Target) grid() [][2]int {
	batches, parallels := orOne(t.Batches), orOne(t.Parallels)
	out := make([][2]int, 0, len(batches)*len(parallels))
	for _, b := range batches {
		for _, p := range parallels {
			out = append(out, [2]int{b, p})
		}
	}
	return out
}

func orOne(v []int) []int {
	if len(v) == 0 {
		return []int{1}
	}
	return v
}

// Workload is a named list of inputs timed together, e.g. the 3 s chunks
// of the benchmark audio.
type Workload struct {
	// Name labels the workload in the report, e.g. "3s" or "sentences".
	Name string
	// Inputs are the items, all processed in each repetition.
	Inputs []Input
}

// Chunks cuts audio into consecutive chunks of the given duration (the last,
// shorter one is dropped unless it is the only one) and names them
// "<name>#<i>". The chunks share memory with samples.
func Chunks(name string, samples []float32, seconds float64) Workload {
	size := int(seconds * SampleRate)
	w := Workload{Name: name}
	if size <= 0 {
		return w
	}
	for i := 0; i+size <= len(samples); i += size {
		w.Inputs = append(w.Inputs, Input{ID: fmt.Sprintf("%s#%d", name, len(w.Inputs)), Samples: samples[i : i+size]})
	}
	if len(w.Inputs) == 0 && len(samples) > 0 {
		w.Inputs = append(w.Inputs, Input{ID: name + "#0", Samples: samples})
	}
	return w
}
