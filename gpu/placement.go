package gpu

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	ort "github.com/yalue/onnxruntime_go"
)

// Placement is where a session's nodes ran in one profiled run, so that
// "cuda" never silently means CPU: ORT may leave nodes it has no CUDA
// kernel for on the CPU without any error.
type Placement struct {
	// Device is the device the session was built for.
	Device Device
	// Nodes is the number of distinct nodes that ran.
	Nodes int
	// ByProvider counts nodes per execution provider.
	ByProvider map[string]int
	// Elsewhere lists nodes that ran on another provider, as "name (op, provider)".
	Elsewhere []string

	runs []nodeRun
}

// nodeRun is one node of the profile.
type nodeRun struct{ name, op, provider string }

// String summarises, e.g. "all 52 nodes on CUDAExecutionProvider" or
// "3 of 52 nodes not on CUDAExecutionProvider: a (Shape, CPUExecutionProvider), ...".
func (p Placement) String() string {
	want := providerFor(p.Device)
	if len(p.Elsewhere) == 0 {
		return fmt.Sprintf("all %d nodes on %s", p.Nodes, want)
	}
	list := p.Elsewhere
	more := ""
	if len(list) > 5 {
		list, more = list[:5], fmt.Sprintf(", and %d more", len(p.Elsewhere)-5)
	}
	return fmt.Sprintf("%d of %d nodes not on %s: %s%s", len(p.Elsewhere), p.Nodes, want, strings.Join(list, ", "), more)
}

// providerFor is ORT's provider name for dev.
func providerFor(dev Device) string {
	if dev.CUDA {
		return "CUDAExecutionProvider"
	}
	return "CPUExecutionProvider"
}

// placementChecker is a SessionFactory that can profile node placement.
type placementChecker interface {
	CheckPlacement(ctx context.Context, spec SessionSpec, inputs []Tensor) (Placement, error)
}

// CheckPlacement builds a separate, profiling session for spec, runs inputs
// once, and reads ORT's profile to see which provider ran each node. It
// costs a second session build (and its memory, briefly), so it is opt-in
// (ModelSpec.CheckPlacement, doctor).
func (r *Runtime) CheckPlacement(ctx context.Context, spec SessionSpec, inputs []Tensor) (Placement, error) {
	dir, err := os.MkdirTemp("", "parley-profile-")
	if err != nil {
		return Placement{}, fmt.Errorf("check placement of %s: %w", spec.Path, err)
	}
	defer os.RemoveAll(dir)
	if err := r.profileRun(ctx, spec, inputs, filepath.Join(dir, "run")); err != nil {
		return Placement{}, fmt.Errorf("check placement of %s on %s: %w", spec.Path, spec.Device, err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "run*.json"))
	if len(files) != 1 {
		return Placement{}, fmt.Errorf("check placement of %s: ORT wrote %d profiles", spec.Path, len(files))
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		return Placement{}, fmt.Errorf("check placement of %s: %w", spec.Path, err)
	}
	return parseProfile(data, spec.Device)
}

// profileRun builds a profiling session, runs inputs, and destroys the
// session, which makes ORT write the profile under prefix.
func (r *Runtime) profileRun(ctx context.Context, spec SessionSpec, inputs []Tensor, prefix string) error {
	info, err := r.cache.get(spec.Path)
	if err != nil {
		return err
	}
	so, err := r.sessionOptions(spec)
	if err != nil {
		return err
	}
	defer so.Destroy()
	if err := so.EnableProfiling(prefix); err != nil {
		return fmt.Errorf("enable profiling: %w", err)
	}
	s, err := ort.NewDynamicAdvancedSession(spec.Path, names(info.Inputs), names(info.Outputs), so)
	if err != nil {
		return buildError(spec, err)
	}
	sess := newORTSession(spec, s, info)
	defer sess.Close()
	_, err = sess.Run(ctx, inputs, names(info.Outputs))
	return err
}

// profileEvent is the part of an ORT profile event that placement needs.
type profileEvent struct {
	Cat  string `json:"cat"`
	Name string `json:"name"`
	Args struct {
		Op       string `json:"op_name"`
		Provider string `json:"provider"`
	} `json:"args"`
}

// parseProfile reads ORT's JSON profile (one "Node" event per kernel run)
// and judges it against dev.
func parseProfile(data []byte, dev Device) (Placement, error) {
	var events []profileEvent
	if err := json.Unmarshal(data, &events); err != nil {
		return Placement{}, fmt.Errorf("read ORT profile: %w", err)
	}
	var runs []nodeRun
	seen := map[string]bool{}
	for _, e := range events {
		name := strings.TrimSuffix(e.Name, "_kernel_time")
		if e.Cat != "Node" || e.Args.Provider == "" || seen[name] {
			continue
		}
		seen[name] = true
		runs = append(runs, nodeRun{name: name, op: e.Args.Op, provider: e.Args.Provider})
	}
	return Placement{runs: runs}.judge(dev), nil
}

// judge counts the nodes per provider and lists those not on dev's.
func (p Placement) judge(dev Device) Placement {
	out := Placement{Device: dev, Nodes: len(p.runs), ByProvider: map[string]int{}, runs: p.runs}
	want := providerFor(dev)
	for _, r := range p.runs {
		out.ByProvider[r.provider]++
		if r.provider != want {
			out.Elsewhere = append(out.Elsewhere, fmt.Sprintf("%s (%s, %s)", r.name, r.op, r.provider))
		}
	}
	sort.Strings(out.Elsewhere)
	return out
}

// CheckPlacement profiles the Base session on the CPU and judges it
// against the fake CUDA device, so every node shows as not on CUDA, which
// is the truth about a fake GPU.
func (f *FakeGPU) CheckPlacement(ctx context.Context, spec SessionSpec, inputs []Tensor) (Placement, error) {
	base, ok := f.Base.(placementChecker)
	if !ok {
		return Placement{}, fmt.Errorf("check placement of %s: %w: base factory cannot profile", spec.Path, ErrBadOption)
	}
	cpu := spec
	cpu.Device = Device{}
	p, err := base.CheckPlacement(ctx, cpu, inputs)
	if err != nil {
		return Placement{}, err
	}
	return p.judge(spec.Device), nil
}
