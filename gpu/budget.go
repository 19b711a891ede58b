package gpu

import (
	"fmt"
	"sort"
)

// defaultSizeFactor estimates a model's GPU memory from its file size until
// it has been measured: weights plus ORT's activations and workspace.
const defaultSizeFactor = 1.5

// MemLimits splits the budget fraction x totalMiB among models by weight and
// returns each model's gpu_mem_limit in bytes. A weight <= 0 counts as 1.
func MemLimits(totalMiB, fraction float64, weights map[string]float64) map[string]int64 {
	sum := 0.0
	for _, w := range weights {
		sum += weightOr1(w)
	}
	out := make(map[string]int64, len(weights))
	for name, w := range weights {
		out[name] = int64(fraction * totalMiB * weightOr1(w) / sum * (1 << 20))
	}
	return out
}

// weightOr1 returns w, or 1 when it is not set.
func weightOr1(w float64) float64 {
	if w <= 0 {
		return 1
	}
	return w
}

// Need is a model's estimated GPU memory.
type Need struct {
	// MiB is the memory the model needs on the GPU.
	MiB float64
	// Measured is true when MiB was measured (process memory delta after a
	// load), false when it is the file size times the size factor.
	Measured bool
	// FileMiB and Factor are the estimate's inputs when not measured.
	FileMiB, Factor float64
}

// EstimateNeed returns the measured need when there is one (> 0), else
// fileBytes x factor (factor <= 0 means 1.5).
func EstimateNeed(measuredMiB float64, fileBytes int64, factor float64) Need {
	if measuredMiB > 0 {
		return Need{MiB: measuredMiB, Measured: true}
	}
	if factor <= 0 {
		factor = defaultSizeFactor
	}
	file := float64(fileBytes) / (1 << 20)
	return Need{MiB: file * factor, FileMiB: file, Factor: factor}
}

// String explains the need, e.g. "850 MiB (measured)".
func (n Need) String() string {
	if n.Measured {
		return fmt.Sprintf("%.0f MiB (measured)", n.MiB)
	}
	return fmt.Sprintf("%.0f MiB (estimated: file %.0f MiB x %.1f)", n.MiB, n.FileMiB, n.Factor)
}

// Admit checks that moving model onto dev leaves minFreeMiB free: freeMiB
// must cover need plus minFreeMiB. The refusal wraps ErrInsufficientMemory
// and states every number.
func Admit(model string, dev Device, need Need, freeMiB, minFreeMiB float64) error {
	if want := need.MiB + minFreeMiB; freeMiB < want {
		return fmt.Errorf("move %s to %s refused: %w: needs %s + gpu.min_free_mib %.0f MiB = %.0f MiB, but %.0f MiB are free",
			model, dev, ErrInsufficientMemory, need, minFreeMiB, want, freeMiB)
	}
	return nil
}

// Resident is a model as the pressure check sees it.
type Resident struct {
	// Name is the model's role.
	Name string
	// Priority orders models; the lowest leaves the GPU first.
	Priority int
	// Active is the device it runs on now.
	Active Device
}

// Relief is the pressure check's decision: move Model to the CPU.
type Relief struct {
	// Model is the model to move.
	Model string
	// Reason is what its state will say, with the numbers.
	Reason string
}

// Pressure looks for a GPU in snap whose free memory is under minFreeMiB
// and picks the lowest-priority model running there (TTS before ASR, ASR
// before VAD) to move to the CPU. ok is false when nothing must move.
func Pressure(snap Snapshot, residents []Resident, minFreeMiB float64) (Relief, bool) {
	for _, g := range snap.GPUs {
		if g.MemFreeMiB == nil || *g.MemFreeMiB >= minFreeMiB {
			continue
		}
		on := residentsOn(residents, g.Index)
		if len(on) == 0 {
			continue
		}
		reason := fmt.Sprintf("memory pressure: %.0f MiB free on cuda:%d, under gpu.min_free_mib %.0f MiB", *g.MemFreeMiB, g.Index, minFreeMiB)
		return Relief{Model: on[0].Name, Reason: reason}, true
	}
	return Relief{}, false
}

// residentsOn returns the models on GPU index, lowest priority first.
func residentsOn(residents []Resident, index int) []Resident {
	var on []Resident
	for _, r := range residents {
		if r.Active.CUDA && r.Active.Index == index {
			on = append(on, r)
		}
	}
	sort.SliceStable(on, func(i, j int) bool { return on[i].Priority < on[j].Priority })
	return on
}
