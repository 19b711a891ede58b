package bench

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strings"

	"parley/gpu"
)

// Machine describes where a benchmark ran, for the Markdown report.
type Machine struct {
	// CPU is the processor's model name; Cores the logical CPUs Go sees.
	CPU   string `json:"cpu"`
	Cores int    `json:"cores"`
	// OS is the distribution's name, e.g. "Debian GNU/Linux 12 (bookworm)".
	OS string `json:"os"`
	// Go is the Go version the binary was built with.
	Go string `json:"go"`
	// ORT is the ONNX Runtime version ("" when it did not load) and
	// Providers the execution providers that load.
	ORT       string   `json:"onnxruntime"`
	Providers []string `json:"providers,omitempty"`
	// GPU names each GPU NVML sees; Driver is the NVIDIA driver version.
	GPU    []string `json:"gpu,omitempty"`
	Driver string   `json:"driver,omitempty"`
	// NoGPU is why no GPU is listed ("" when one is).
	NoGPU string `json:"no_gpu,omitempty"`
}

// DescribeMachine gathers the machine's description from /proc, the ONNX
// Runtime's info (nil when it did not load) and an NVML snapshot.
func DescribeMachine(info *gpu.RuntimeInfo, snap gpu.Snapshot) Machine {
	m := Machine{CPU: cpuModel(readFile("/proc/cpuinfo")), Cores: runtime.NumCPU(), Go: runtime.Version(),
		OS: osName(readFile("/etc/os-release")), Driver: driverVersion(readFile("/proc/driver/nvidia/version"))}
	if info != nil {
		m.ORT = info.Version
		for _, p := range info.Providers {
			if p.Available {
				m.Providers = append(m.Providers, p.Name)
			}
		}
	}
	for _, g := range snap.GPUs {
		m.GPU = append(m.GPU, g.Name)
	}
	m.NoGPU = snap.Unavailable
	if len(m.GPU) == 0 && m.NoGPU == "" {
		m.NoGPU = "NVML lists no GPU"
	}
	return m
}

func readFile(path string) []byte {
	data, _ := os.ReadFile(path)
	return data
}

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel(cpuinfo []byte) string {
	if v := field(cpuinfo, "model name", ':'); v != "" {
		return v
	}
	return runtime.GOARCH
}

// osName is PRETTY_NAME of /etc/os-release.
func osName(release []byte) string {
	return strings.Trim(field(release, "PRETTY_NAME", '='), `"`)
}

// driverVersion reads the version from /proc/driver/nvidia/version's first
// line ("NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  ...").
func driverVersion(data []byte) string {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	_, rest, ok := strings.Cut(string(line), "Kernel Module")
	if !ok {
		return ""
	}
	if f := strings.Fields(rest); len(f) > 0 {
		return f[0]
	}
	return ""
}

// field returns the value of the first "key<sep>value" line.
func field(data []byte, key string, sep byte) string {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), string(sep))
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
