package gpu

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// ortProcess guards onnxruntime_go's environment, the package's one global.
// onnxruntime_go keeps a single process-wide environment (and the dlopen'ed
// library behind it): it can be initialised once, from one library file, and
// destroying it while any session exists would crash that session. So every
// Runtime shares it: it is initialised under this mutex, never destroyed, and
// the provider probes that depend on it run once and are remembered here.
var ortProcess struct {
	mu      sync.Mutex
	path    string // the loaded library; "" until an initialisation succeeds
	version string
	cuda    *ProviderStatus
	webgpu  *ProviderStatus
}

// envLibrary is the environment variable that names the ONNX Runtime library.
const envLibrary = "PARLEY_ORT_LIB"

// RuntimeOptions configures NewRuntime.
type RuntimeOptions struct {
	// LibraryPath is the ONNX Runtime shared library (config key
	// onnx.library); "" searches PARLEY_ORT_LIB, then
	// $XDG_CACHE_HOME/parley/lib/libonnxruntime.so.1.
	LibraryPath string
	// IntraOpThreads is the threads one CPU run may use (0 = ORT's choice).
	IntraOpThreads int
	// InterOpThreads is the threads across parallel graph branches (0 = ORT's choice).
	InterOpThreads int
	// ProbeWebGPU also probes the WebGPU provider. Off by default: its
	// adapter search prints a warning to fd 2 that ORT's log level cannot
	// silence, so only doctor (not the TUI) should turn it on.
	ProbeWebGPU bool
}

// ProviderStatus says whether one ONNX Runtime execution provider loads.
type ProviderStatus struct {
	// Name is the provider, e.g. "CPU", "CUDA", "WebGPU".
	Name string
	// Available is true when the provider could be appended to a session.
	Available bool
	// Reason is ORT's error text when it is not available, or why it was not probed.
	Reason string
}

// RuntimeInfo describes the loaded ONNX Runtime, for doctor and the UI.
type RuntimeInfo struct {
	// LibraryPath is the shared library in use.
	LibraryPath string
	// Version is ORT's own version string, e.g. "1.29.0".
	Version string
	// Providers lists CPU, CUDA and WebGPU with what the probe found.
	Providers []ProviderStatus
}

// Provider returns the status of the named provider and whether it was listed.
func (i RuntimeInfo) Provider(name string) (ProviderStatus, bool) {
	for _, p := range i.Providers {
		if strings.EqualFold(p.Name, name) {
			return p, true
		}
	}
	return ProviderStatus{}, false
}

// Runtime is parley's handle on the process's ONNX Runtime environment. It
// builds sessions (it is the real SessionFactory) and managed models.
type Runtime struct {
	opts  RuntimeOptions
	info  RuntimeInfo
	cache infoCache
}

// NewRuntime loads ONNX Runtime (once per process), silences its logging and
// probes which execution providers load. A missing library is an error that
// names the path tried, the config key onnx.library and "run make setup".
func NewRuntime(ctx context.Context, opts RuntimeOptions) (*Runtime, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("start onnx runtime: %w", err)
	}
	path, err := resolveLibrary(opts.LibraryPath, os.Getenv)
	if err != nil {
		return nil, err
	}
	ortProcess.mu.Lock()
	defer ortProcess.mu.Unlock()
	if err := initEnvironmentLocked(path); err != nil {
		return nil, err
	}
	info := RuntimeInfo{LibraryPath: ortProcess.path, Version: ortProcess.version}
	info.Providers = probeProvidersLocked(opts.ProbeWebGPU)
	return &Runtime{opts: opts, info: info}, nil
}

// Info reports the library, its version and the probed providers.
func (r *Runtime) Info() RuntimeInfo {
	info := r.info
	info.Providers = append([]ProviderStatus(nil), r.info.Providers...)
	return info
}

// CUDAStatus returns the CUDA provider's probe result.
func (r *Runtime) CUDAStatus() ProviderStatus {
	p, _ := r.info.Provider("CUDA")
	return p
}

// resolveLibrary picks the library path: the explicit option, else
// PARLEY_ORT_LIB, else the cache default. The first source that is set is
// the one used; a missing file there is an error naming it and its source.
func resolveLibrary(explicit string, getenv func(string) string) (string, error) {
	path, from := explicit, "onnx.library"
	if path == "" {
		path, from = getenv(envLibrary), envLibrary
	}
	if path == "" {
		path, from = defaultLibrary(getenv), "default"
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("%w: tried %s (%s): set onnx.library in config.toml or %s, or run make setup",
			ErrLibraryNotFound, path, from, envLibrary)
	}
	return path, nil
}

// defaultLibrary is $XDG_CACHE_HOME/parley/lib/libonnxruntime.so.1, with
// XDG_CACHE_HOME defaulting to $HOME/.cache.
func defaultLibrary(getenv func(string) string) string {
	base := getenv("XDG_CACHE_HOME")
	if base == "" {
		base = filepath.Join(getenv("HOME"), ".cache")
	}
	return filepath.Join(base, "parley", "lib", "libonnxruntime.so.1")
}

// initEnvironmentLocked initialises the process environment from path, or
// checks that it already was from the same file. ortProcess.mu must be held.
func initEnvironmentLocked(path string) error {
	if ortProcess.path != "" {
		if !sameFile(ortProcess.path, path) {
			return fmt.Errorf("%w: %s is loaded, %s was asked for", ErrLibraryMismatch, ortProcess.path, path)
		}
		return nil
	}
	ort.SetSharedLibraryPath(path)
	if err := ort.InitializeEnvironment(ort.WithLogLevelFatal()); err != nil {
		return fmt.Errorf("load onnx runtime library %s: %w", path, err)
	}
	_ = ort.DisableTelemetry() // Best effort: a no-op outside Windows.
	ortProcess.path, ortProcess.version = path, ort.GetVersion()
	return nil
}

// sameFile reports whether two paths name the same file.
func sameFile(a, b string) bool {
	if a == b {
		return true
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// probeProvidersLocked returns CPU, CUDA and WebGPU, probing each at most
// once per process. ortProcess.mu must be held.
func probeProvidersLocked(webgpu bool) []ProviderStatus {
	if ortProcess.cuda == nil {
		p := probe("CUDA", func(o *ort.SessionOptions) error { return appendCUDA(o, CUDA(0), CUDAOptions{}) })
		ortProcess.cuda = &p
	}
	if webgpu && ortProcess.webgpu == nil {
		p := probe("WebGPU", func(o *ort.SessionOptions) error { return o.AppendExecutionProvider("WebGPU", nil) })
		ortProcess.webgpu = &p
	}
	wg := ProviderStatus{Name: "WebGPU", Reason: "not probed (the probe writes to stderr; doctor probes it)"}
	if ortProcess.webgpu != nil {
		wg = *ortProcess.webgpu
	}
	return []ProviderStatus{{Name: "CPU", Available: true}, *ortProcess.cuda, wg}
}

// probe appends a provider to throwaway session options and records ORT's
// exact error text when that fails.
func probe(name string, appendEP func(*ort.SessionOptions) error) ProviderStatus {
	o, err := ort.NewSessionOptions()
	if err != nil {
		return ProviderStatus{Name: name, Reason: "create session options: " + err.Error()}
	}
	defer o.Destroy()
	if err := appendEP(o); err != nil {
		return ProviderStatus{Name: name, Reason: err.Error()}
	}
	return ProviderStatus{Name: name, Available: true}
}
