package gpu

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// Session is one loaded model on one device.
type Session interface {
	Runner
	// Device is where the session runs.
	Device() Device
	// Close releases the session; runs must have finished.
	Close() error
}

// SessionFactory builds sessions. The Runtime is the real one; tests and
// demos inject others (see FakeGPU) through ModelSpec.Factory.
type SessionFactory interface {
	// NewSession loads spec.Path on spec.Device.
	NewSession(ctx context.Context, spec SessionSpec) (Session, error)
}

// SessionSpec says what to load and where.
type SessionSpec struct {
	// Path is the .onnx file.
	Path string
	// Device is "cpu" or a CUDA GPU.
	Device Device
	// CUDA configures the CUDA provider (ignored on the CPU).
	CUDA CUDAOptions
	// IntraOpThreads and InterOpThreads override the runtime's (0 = keep).
	IntraOpThreads, InterOpThreads int
}

// ortSession is a Session backed by an ONNX Runtime DynamicAdvancedSession
// that was created with every declared input and output name.
type ortSession struct {
	path      string
	device    Device
	sess      *ort.DynamicAdvancedSession
	info      ModelInfo
	inputIdx  map[string]int
	outputIdx map[string]int
	closeOnce sync.Once
}

// NewSession implements SessionFactory: it loads spec.Path on spec.Device.
// CUDA failures (provider append or session build) are DeviceErrors that
// wrap ErrCUDAUnavailable and carry ORT's own text.
func (r *Runtime) NewSession(ctx context.Context, spec SessionSpec) (Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("load %s on %s: %w", spec.Path, spec.Device, err)
	}
	if _, err := os.Stat(spec.Path); err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	info, err := r.cache.get(spec.Path)
	if err != nil {
		return nil, err
	}
	so, err := r.sessionOptions(spec)
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	s, err := ort.NewDynamicAdvancedSession(spec.Path, names(info.Inputs), names(info.Outputs), so)
	if err != nil {
		return nil, buildError(spec, err)
	}
	return newORTSession(spec, s, r.cache.withMetadata(spec.Path, s)), nil
}

// buildError wraps a session build failure with the file and device; on
// CUDA it is a DeviceError wrapping ErrCUDAUnavailable.
func buildError(spec SessionSpec, err error) error {
	if spec.Device.CUDA {
		return &DeviceError{Op: "load", Path: spec.Path, Device: spec.Device, Reason: ortMessage(err), Err: ErrCUDAUnavailable}
	}
	return fmt.Errorf("build session for %s on %s: %w", spec.Path, spec.Device, err)
}

// sessionOptions returns ORT options for spec: fatal-only logging, threads,
// and on CUDA the provider. The caller destroys them.
func (r *Runtime) sessionOptions(spec SessionSpec) (*ort.SessionOptions, error) {
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("session options for %s: %w", spec.Path, err)
	}
	if err := r.configure(so, spec); err != nil {
		so.Destroy()
		return nil, err
	}
	return so, nil
}

// configure applies logging, threads and the CUDA provider to so.
func (r *Runtime) configure(so *ort.SessionOptions, spec SessionSpec) error {
	if err := so.SetLogSeverityLevel(ort.LoggingLevelFatal); err != nil {
		return fmt.Errorf("session options for %s: log level: %w", spec.Path, err)
	}
	if err := setThreads(so, pick(spec.IntraOpThreads, r.opts.IntraOpThreads), pick(spec.InterOpThreads, r.opts.InterOpThreads)); err != nil {
		return fmt.Errorf("session options for %s: %w", spec.Path, err)
	}
	if !spec.Device.CUDA {
		return nil
	}
	if err := appendCUDA(so, spec.Device, spec.CUDA); err != nil {
		if errors.Is(err, ErrBadOption) {
			return fmt.Errorf("session options for %s: %w", spec.Path, err)
		}
		return &DeviceError{Op: "load", Path: spec.Path, Device: spec.Device, Reason: err.Error(), Err: ErrCUDAUnavailable}
	}
	return nil
}

// setThreads sets the intra- and inter-op thread counts that are > 0.
func setThreads(so *ort.SessionOptions, intra, inter int) error {
	if intra > 0 {
		if err := so.SetIntraOpNumThreads(intra); err != nil {
			return fmt.Errorf("intra-op threads %d: %w", intra, err)
		}
	}
	if inter > 0 {
		if err := so.SetInterOpNumThreads(inter); err != nil {
			return fmt.Errorf("inter-op threads %d: %w", inter, err)
		}
	}
	return nil
}

// pick returns v when it is set (> 0), else def.
func pick(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// newORTSession wraps a built ORT session.
func newORTSession(spec SessionSpec, s *ort.DynamicAdvancedSession, info ModelInfo) *ortSession {
	return &ortSession{
		path: spec.Path, device: spec.Device, sess: s, info: info,
		inputIdx: indexOf(info.Inputs), outputIdx: indexOf(info.Outputs),
	}
}

// Info implements Runner.
func (s *ortSession) Info() ModelInfo { return s.info }

// Device implements Session.
func (s *ortSession) Device() Device { return s.device }

// Close implements Session; it is safe to call more than once.
func (s *ortSession) Close() error {
	var err error
	s.closeOnce.Do(func() {
		if e := s.sess.Destroy(); e != nil {
			err = fmt.Errorf("close session for %s on %s: %w", s.path, s.device, e)
		}
	})
	return err
}

// names returns the names of infos in order.
func names(infos []TensorInfo) []string {
	out := make([]string, len(infos))
	for i, t := range infos {
		out[i] = t.Name
	}
	return out
}

// indexOf maps each name to its position.
func indexOf(infos []TensorInfo) map[string]int {
	m := make(map[string]int, len(infos))
	for i, t := range infos {
		m[t.Name] = i
	}
	return m
}
