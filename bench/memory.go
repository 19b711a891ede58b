package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"parley/gpu"
)

// MemorySample is one reading of this process's memory, in MiB.
type MemorySample struct {
	// RSSMiB is the resident set size now (VmRSS).
	RSSMiB float64
	// PeakRSSMiB is the resident high-water mark (VmHWM) since the last
	// ResetPeak, or since the process started; 0 when unknown.
	PeakRSSMiB float64
	// GPUMiB is this process's memory on the GPU, or -1 when unknown (no
	// NVML, or NVML does not report processes).
	GPUMiB float64
}

// Probe reads this process's memory. ProcessProbe is the real one; tests
// pass fakes.
type Probe interface {
	// Sample reads the memory now.
	Sample(ctx context.Context) MemorySample
}

// GPUMemory reads a GPU's memory figures; *gpu.Monitor satisfies it.
type GPUMemory interface {
	// Memory returns GPU index's free and total memory and this process's
	// share (-1 when NVML cannot tell).
	Memory(ctx context.Context, index int) (gpu.GPUMemory, error)
}

// ProcessProbe reads /proc/self/status and, when GPU is set, NVML.
type ProcessProbe struct {
	// GPU reads GPU memory; nil means none is known.
	GPU GPUMemory
	// Index is the GPU whose memory is read.
	Index int
	// StatusPath is the status file; "" means /proc/self/status.
	StatusPath string
}

// Sample implements Probe. Errors leave the affected figures at 0 (RSS) or
// -1 (GPU): a benchmark must not stop because a counter is missing.
func (p ProcessProbe) Sample(ctx context.Context) MemorySample {
	s := MemorySample{GPUMiB: -1}
	path := p.StatusPath
	if path == "" {
		path = "/proc/self/status"
	}
	if data, err := os.ReadFile(path); err == nil {
		s.RSSMiB, s.PeakRSSMiB = statusMiB(data, "VmRSS:"), statusMiB(data, "VmHWM:")
	}
	if p.GPU != nil {
		if m, err := p.GPU.Memory(ctx, p.Index); err == nil && m.ProcessMiB >= 0 {
			s.GPUMiB = m.ProcessMiB
		}
	}
	return s
}

// ResetPeak resets the kernel's resident high-water mark (VmHWM) of this
// process, so the next samples report the peak of what follows only.
func (p ProcessProbe) ResetPeak() error {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return fmt.Errorf("reset peak RSS: %w", err)
	}
	return nil
}

// statusMiB reads a "Key:   1234 kB" line of /proc/PID/status in MiB.
func statusMiB(data []byte, key string) float64 {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), key)
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return 0
		}
		kb, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			return 0
		}
		return kb / 1024
	}
	return 0
}
