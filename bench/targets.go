package bench

import (
	"context"
	"errors"
	"fmt"

	"parley/audio"
	"parley/gpu"
	"parley/pipeline/asr"
	"parley/pipeline/tts"
)

// ModelLoader builds managed ONNX models; *gpu.Runtime is one.
type ModelLoader interface {
	// NewModel loads spec.Path on spec.Device.
	NewModel(ctx context.Context, spec gpu.ModelSpec) (*gpu.Model, error)
}

// cpuOnly is the Missing reason of a CPU-only engine's GPU rows.
func cpuOnly(engine string) string {
	return engine + " runs on the CPU only"
}

// loadModel builds a managed model on device without CPU fallback, so a
// GPU row never silently measures the CPU.
func loadModel(ctx context.Context, l ModelLoader, role, path, device string, threads int) (*gpu.Model, error) {
	m, err := l.NewModel(ctx, gpu.ModelSpec{Name: role, Path: path, Device: device, FallbackToCPU: false,
		IntraOpThreads: threads, InterOpThreads: threads, CUDA: gpu.CUDAOptions{ConvAlgoSearch: "HEURISTIC"}})
	if err != nil {
		return nil, fmt.Errorf("load %s on %s: %w", path, device, err)
	}
	return m, nil
}

// modelLoaded wraps a managed model as an opened target.
func modelLoaded(m *gpu.Model, run RunFunc, closeEngine func() error) Loaded {
	return Loaded{Run: run, Device: func() string { return m.State().Active }, Switch: m.Switch,
		Close: func() error { return errors.Join(closeEngine(), m.Close()) }}
}

func noClose() error { return nil }

// SileroTarget is Silero VAD (the model file at path) on device. Each input
// is scored frame by frame from a fresh state; the outputs are the speech
// probabilities. Silero is stateful, so it runs one input at a time.
func SileroTarget(l ModelLoader, path, device string) Target {
	return Target{Model: "silero", Kind: KindVAD, Device: device, Open: func(ctx context.Context) (Loaded, error) {
		m, err := loadModel(ctx, l, "vad", path, device, 1)
		if err != nil {
			return Loaded{}, err
		}
		v, err := audio.NewSileroVAD(m)
		if err != nil {
			_ = m.Close()
			return Loaded{}, fmt.Errorf("silero %s: %w", path, err)
		}
		return modelLoaded(m, sileroRun(v), noClose), nil
	}}
}

func sileroRun(v *audio.SileroVAD) RunFunc {
	return func(ctx context.Context, batch []Input) ([]Output, error) {
		outs := make([]Output, len(batch))
		frame := make([]float32, audio.FrameSize)
		for i, in := range batch {
			v.Reset()
			for off := 0; off < len(in.Samples); off += audio.FrameSize {
				clear(frame)
				copy(frame, in.Samples[off:])
				p, err := v.Prob(ctx, frame)
				if err != nil {
					return nil, fmt.Errorf("silero: %w", err)
				}
				outs[i].Values = append(outs[i].Values, p)
			}
		}
		return outs, nil
	}
}

// PocketsphinxTarget is pocketsphinx on device; its GPU rows say it runs on
// the CPU only. Its single decoder takes one input at a time.
func PocketsphinxTarget(opts asr.PocketsphinxOptions, device string) Target {
	return cpuTarget(Target{Model: "pocketsphinx", Kind: KindASR, Device: device}, "pocketsphinx",
		func(ctx context.Context) (Loaded, error) {
			p, err := asr.NewPocketsphinx(ctx, opts)
			if err != nil {
				return Loaded{}, fmt.Errorf("pocketsphinx: %w", err)
			}
			return Loaded{Run: streamRun(p), Close: p.Close}, nil
		})
}

// cpuTarget is t for an engine that runs on the CPU only: opened with open
// on the CPU, a row that says so on any other device.
func cpuTarget(t Target, engine string, open func(context.Context) (Loaded, error)) Target {
	if t.Device != "cpu" {
		t.Missing = cpuOnly(engine)
		return t
	}
	t.Open = open
	return t
}

// streamRun transcribes each input through one Stream of e.
func streamRun(e asr.Engine) RunFunc {
	return func(ctx context.Context, batch []Input) ([]Output, error) {
		outs := make([]Output, len(batch))
		for i, in := range batch {
			text, err := asr.Recognize(ctx, e, in.Samples)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", in.ID, err) // err names the engine
			}
			outs[i].Text = text
		}
		return outs, nil
	}
}

// FliteTarget is flite with voice on device; its GPU rows say it runs on
// the CPU only. flite serialises synthesis process-wide.
func FliteTarget(voice, device string) Target {
	return cpuTarget(Target{Model: "flite/" + voice, Kind: KindTTS, Device: device}, "flite",
		func(ctx context.Context) (Loaded, error) {
			f, err := tts.NewFlite(ctx, tts.FliteOptions{Voice: voice})
			if err != nil {
				return Loaded{}, fmt.Errorf("flite: %w", err)
			}
			return Loaded{Run: synthRun(f), Close: f.Close}, nil
		})
}

// synthRun speaks each input's text; the outputs are the audio.
func synthRun(e tts.Engine) RunFunc {
	return func(ctx context.Context, batch []Input) ([]Output, error) {
		outs := make([]Output, len(batch))
		for i, in := range batch {
			a, err := e.Synthesize(ctx, in.Text)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", e.Name(), in.ID, err)
			}
			outs[i] = Output{Values: a.Samples, Seconds: a.Seconds()}
		}
		return outs, nil
	}
}

// PiperTarget is the Piper voice at path (X.onnx, or a folder holding one
// voice) on device, timed at each parallelism. Its noise scales are near
// zero so that two devices can be compared: VITS adds random noise
// otherwise, and the cost of a run does not depend on the scale.
func PiperTarget(l ModelLoader, path, device string, parallels []int) Target {
	return Target{Model: "piper", Kind: KindTTS, Device: device, Parallels: parallels,
		Open: func(ctx context.Context) (Loaded, error) {
			onnx, cfg, err := tts.FindVoice(path)
			if err != nil {
				return Loaded{}, fmt.Errorf("piper: %w", err)
			}
			m, err := loadModel(ctx, l, "tts", onnx, device, 0)
			if err != nil {
				return Loaded{}, err
			}
			p, err := tts.NewPiper(ctx, tts.PiperOptions{ConfigPath: cfg, Runner: m, NoiseScale: 1e-6, NoiseW: 1e-6})
			if err != nil {
				_ = m.Close()
				return Loaded{}, fmt.Errorf("piper: %w", err)
			}
			return modelLoaded(m, synthRun(p), p.Close), nil
		}}
}
