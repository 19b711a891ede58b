package gpu

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Switch moves the model to device ("cpu" or "cuda:N") while runs go on:
// it builds and warms the new session, swaps it in between two runs, and
// the old session is closed when its last run ends. It blocks until the
// swap is done (run it in a goroutine to keep a UI live) and is safe to call
// concurrently; switches are applied one at a time. With FallbackToCPU, a
// GPU that fails ends on the CPU with the reason in State; a later Switch
// to the GPU tries again. The time taken is State().LastSwitch.
func (m *Model) Switch(ctx context.Context, device string) error {
	dev, err := ParseDevice(device)
	if err != nil {
		return fmt.Errorf("model %s: switch: %w", m.spec.Name, err)
	}
	return m.whileSwitching(func(cur *liveSession) error { return m.switchFrom(ctx, cur, dev) })
}

// switchFrom moves the model from its current session cur to dev.
func (m *Model) switchFrom(ctx context.Context, cur *liveSession, dev Device) error {
	if cur.s.Device() == dev {
		m.settle(dev)
		return nil
	}
	start := time.Now()
	ls, reason, err := m.open(ctx, dev, cpuOrNil(cur))
	if err != nil {
		return fmt.Errorf("switch: %w", err)
	}
	m.publish(dev.String(), ls, reason, time.Since(start))
	return nil
}

// cpuOrNil returns ls when it runs on the CPU (so a failed GPU switch can
// keep it instead of building another CPU session), else nil.
func cpuOrNil(ls *liveSession) *liveSession {
	if ls.s.Device().CUDA {
		return nil
	}
	return ls
}

// whileSwitching runs fn with the current session while the model is
// marked as switching and no other switch or fallback can run.
func (m *Model) whileSwitching(fn func(cur *liveSession) error) error {
	m.switchMu.Lock()
	defer m.switchMu.Unlock()
	cur, err := m.beginSwitch()
	if err != nil {
		return err
	}
	defer m.endSwitch()
	return fn(cur)
}

// beginSwitch marks the model as switching and returns its current session.
// m.switchMu must be held, so the current session cannot change meanwhile.
func (m *Model) beginSwitch() (*liveSession, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, fmt.Errorf("model %s: switch: %w", m.spec.Name, ErrClosed)
	}
	m.state.Switching = true
	return m.cur, nil
}

// endSwitch clears the switching mark.
func (m *Model) endSwitch() {
	m.mu.Lock()
	m.state.Switching = false
	m.mu.Unlock()
}

// settle records that the model already runs where it was asked to.
func (m *Model) settle(dev Device) {
	m.mu.Lock()
	m.state.Requested, m.state.FallbackReason = dev.String(), ""
	m.mu.Unlock()
}

// open builds a warmed session on dev. A CUDA DeviceError with
// FallbackToCPU gives a CPU session instead (reuseCPU when set) and ORT's
// reason.
func (m *Model) open(ctx context.Context, dev Device, reuseCPU *liveSession) (*liveSession, string, error) {
	ls, err := m.build(ctx, dev)
	if err == nil {
		return ls, "", nil
	}
	var de *DeviceError
	if !dev.CUDA || !m.spec.FallbackToCPU || !errors.As(err, &de) {
		return nil, "", fmt.Errorf("model %s on %s: %w", m.spec.Name, dev, err)
	}
	if reuseCPU != nil {
		return reuseCPU, de.Reason, nil
	}
	ls, cerr := m.build(ctx, Device{})
	if cerr != nil {
		return nil, "", fmt.Errorf("model %s: %s failed (%s), and the cpu fallback failed: %w", m.spec.Name, dev, de.Reason, cerr)
	}
	return ls, de.Reason, nil
}

// build loads a session on dev and warms it, so that it is complete before
// any run can reach it.
func (m *Model) build(ctx context.Context, dev Device) (*liveSession, error) {
	s, err := m.spec.Factory.NewSession(ctx, m.sessionSpec(dev))
	if err != nil {
		return nil, err
	}
	if err := m.warmUp(ctx, s); err != nil {
		_ = s.Close()
		return nil, err
	}
	ls := newLive(s)
	ls.placement = m.placement(ctx, dev)
	return ls, nil
}

// placement checks where a new CUDA session's nodes run, when the spec
// asks and the factory can tell; the text goes to State().Placement.
func (m *Model) placement(ctx context.Context, dev Device) string {
	checker, ok := m.spec.Factory.(placementChecker)
	m.mu.Lock()
	inputs := m.warm
	m.mu.Unlock()
	if !dev.CUDA || !m.spec.CheckPlacement || !ok || inputs == nil {
		return ""
	}
	p, err := checker.CheckPlacement(ctx, m.sessionSpec(dev), inputs)
	if err != nil {
		return "placement unknown: " + err.Error()
	}
	return p.String()
}

// sessionSpec is what the model loads on dev.
func (m *Model) sessionSpec(dev Device) SessionSpec {
	return SessionSpec{
		Path: m.spec.Path, Device: dev, CUDA: m.spec.CUDA,
		IntraOpThreads: m.spec.IntraOpThreads, InterOpThreads: m.spec.InterOpThreads,
	}
}

// warmUp runs the warm-up inputs once, when there are any yet.
func (m *Model) warmUp(ctx context.Context, s Session) error {
	m.mu.Lock()
	inputs := m.warm // never mutated once set
	m.mu.Unlock()
	if inputs == nil {
		return nil
	}
	if _, err := s.Run(ctx, inputs, names(s.Info().Outputs)); err != nil {
		return fmt.Errorf("warm up: %w", err)
	}
	return nil
}

// publish swaps ls in as the current session and retires the old one.
// requested "" keeps the requested device as it is.
func (m *Model) publish(requested string, ls *liveSession, reason string, took time.Duration) {
	m.mu.Lock()
	old := m.cur
	closeOld := false
	if old != ls {
		m.cur = ls
		closeOld = retireLocked(old)
	}
	if requested != "" {
		m.state.Requested = requested
	}
	m.state.Active, m.state.FallbackReason, m.state.LastSwitch = ls.s.Device().String(), reason, took
	m.state.Placement = ls.placement
	m.state.MemoryMiB = memoryAfterMove(ls.s.Device(), old == ls, m.state.MemoryMiB)
	m.mu.Unlock()
	if closeOld {
		old.close()
	}
}

// memoryAfterMove is the GPU memory attributed to a model after a move: 0
// on the CPU, unknown (-1) on a new GPU session until it is measured.
func memoryAfterMove(dev Device, same bool, prev float64) float64 {
	switch {
	case !dev.CUDA:
		return 0
	case same:
		return prev
	}
	return -1
}

// fallback reruns inputs after failed (a GPU session) hit a DeviceError. If
// another switch already replaced failed, the run goes to the new session;
// otherwise a CPU session is built, the same inputs rerun there, and only if
// that succeeds (so the failure was the GPU's) does it become current.
func (m *Model) fallback(ctx context.Context, failed *liveSession, reason string, inputs []Tensor, outputNames []string) ([]Tensor, error) {
	m.switchMu.Lock()
	defer m.switchMu.Unlock()
	ls, err := m.acquire(nil)
	if err != nil {
		return nil, err
	}
	if ls != failed {
		out, err := m.runOn(ctx, ls, inputs, outputNames)
		m.release(ls)
		var de *DeviceError
		if err == nil || !errors.As(err, &de) {
			return out, m.wrapIf(ls, err)
		}
		failed, reason = ls, de.Reason
	} else {
		m.release(ls)
	}
	return m.rerunOnCPU(ctx, failed, reason, inputs, outputNames)
}

// rerunOnCPU builds a CPU session, reruns inputs there and, on success,
// makes it current with reason as the fallback reason. m.switchMu is held.
func (m *Model) rerunOnCPU(ctx context.Context, failed *liveSession, reason string, inputs []Tensor, outputNames []string) ([]Tensor, error) {
	start := time.Now()
	cpu, err := m.build(ctx, Device{})
	if err != nil {
		return nil, fmt.Errorf("model %s: %s failed (%s), and the cpu fallback failed: %w", m.spec.Name, failed.s.Device(), reason, err)
	}
	out, err := cpu.s.Run(ctx, inputs, outputNames)
	if err != nil {
		cpu.close()
		return nil, fmt.Errorf("model %s: %s failed (%s), and the rerun on cpu failed too: %w", m.spec.Name, failed.s.Device(), reason, err)
	}
	m.publish("", cpu, reason, time.Since(start))
	return out, nil
}

// wrapIf wraps a non-nil err with the model and device.
func (m *Model) wrapIf(ls *liveSession, err error) error {
	if err == nil {
		return nil
	}
	return m.runError(ls, err)
}

// moveToCPU moves a model that is on a GPU to the CPU, keeping the
// requested device and recording reason (memory pressure). A model already
// on the CPU is left alone.
func (m *Model) moveToCPU(ctx context.Context, reason string) error {
	return m.whileSwitching(func(cur *liveSession) error {
		if !cur.s.Device().CUDA {
			return nil
		}
		start := time.Now()
		ls, err := m.build(ctx, Device{})
		if err != nil {
			return fmt.Errorf("model %s: move to cpu (%s): %w", m.spec.Name, reason, err)
		}
		m.publish("", ls, reason, time.Since(start))
		return nil
	})
}

// setMemory records the GPU memory measured for the model's session.
func (m *Model) setMemory(mib float64) {
	m.mu.Lock()
	m.state.MemoryMiB = mib
	m.mu.Unlock()
}

// markRequested records that the model was asked for dev but runs where it
// is for reason (GPU off, budget refusal).
func (m *Model) markRequested(dev Device, reason string) {
	m.mu.Lock()
	m.state.Requested, m.state.FallbackReason = dev.String(), reason
	m.mu.Unlock()
}

// notePlacement records a placement warning unless a profile already said more.
func (m *Model) notePlacement(note string) {
	m.mu.Lock()
	if m.state.Placement == "" {
		m.state.Placement = note
	}
	m.mu.Unlock()
}
