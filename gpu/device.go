package gpu

import (
	"fmt"
	"strconv"
	"strings"
)

// Device is where a session runs: the CPU or one CUDA GPU. The zero Device
// is the CPU.
type Device struct {
	// CUDA is true for a CUDA GPU, false for the CPU.
	CUDA bool
	// Index is the CUDA device index (0 for the CPU).
	Index int
}

// CUDA returns the CUDA device with the given index.
func CUDA(index int) Device { return Device{CUDA: true, Index: index} }

// ParseDevice parses "cpu", "cuda" (cuda:0) or "cuda:N". The error names the
// bad value and the accepted forms.
func ParseDevice(s string) (Device, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	switch {
	case v == "cpu":
		return Device{}, nil
	case v == "cuda":
		return CUDA(0), nil
	case strings.HasPrefix(v, "cuda:"):
		n, err := strconv.Atoi(v[len("cuda:"):])
		if err != nil || n < 0 {
			return Device{}, fmt.Errorf("%w %q: want \"cpu\" or \"cuda:N\" with N >= 0", ErrBadDevice, s)
		}
		return CUDA(n), nil
	}
	return Device{}, fmt.Errorf("%w %q: want \"cpu\" or \"cuda:N\"", ErrBadDevice, s)
}

// String returns "cpu" or "cuda:N".
func (d Device) String() string {
	if !d.CUDA {
		return "cpu"
	}
	return "cuda:" + strconv.Itoa(d.Index)
}
