package gpu

import (
	"errors"
	"strings"
	"testing"
)

func TestMemLimits(t *testing.T) {
	got := MemLimits(80000, 0.5, map[string]float64{"asr": 2, "tts": 1, "vad": 0})
	want := map[string]int64{"asr": 20000 << 20, "tts": 10000 << 20, "vad": 10000 << 20}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d MiB, want %d MiB", k, got[k]>>20, v>>20)
		}
	}
}

func TestAdmit(t *testing.T) {
	est := EstimateNeed(0, 800<<20, 1.5)
	tests := []struct {
		name    string
		need    Need
		free    float64
		ok      bool
		mention []string
	}{
		{"estimate fits", est, 1712, true, nil},
		{"estimate refused", est, 1000, false, []string{"asr", "cuda:0", "1200 MiB (estimated: file 800 MiB x 1.5)", "gpu.min_free_mib 512 MiB", "1712 MiB", "1000 MiB are free"}},
		{"measured refused", EstimateNeed(600, 800<<20, 1.5), 1100, false, []string{"600 MiB (measured)", "1112 MiB", "1100 MiB are free"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Admit("asr", CUDA(0), tc.need, tc.free, 512)
			if tc.ok != (err == nil) {
				t.Fatalf("err = %v", err)
			}
			if !tc.ok && !errors.Is(err, ErrInsufficientMemory) {
				t.Errorf("err = %v, want ErrInsufficientMemory", err)
			}
			for _, w := range tc.mention {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not say %q", err, w)
				}
			}
		})
	}
	if n := EstimateNeed(0, 100<<20, 0); n.Factor != 1.5 || n.MiB != 150 {
		t.Errorf("default factor: %+v", n)
	}
}

func TestPressure(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	snap := func(free0, free1 *float64) Snapshot {
		return Snapshot{GPUs: []GPUSample{{Index: 0, MemFreeMiB: free0}, {Index: 1, MemFreeMiB: free1}}}
	}
	all := []Resident{{"vad", 3, CUDA(0)}, {"asr", 2, CUDA(0)}, {"tts", 1, CUDA(0)}}
	noTTS := []Resident{{"vad", 3, CUDA(0)}, {"asr", 2, CUDA(0)}, {"tts", 1, Device{}}}
	tests := []struct {
		name      string
		snap      Snapshot
		residents []Resident
		want      string
	}{
		{"tts first", snap(f(400), f(9000)), all, "tts"},
		{"then asr", snap(f(400), f(9000)), noTTS, "asr"},
		{"vad last", snap(f(400), nil), []Resident{{"vad", 3, CUDA(0)}, {"asr", 2, Device{}}}, "vad"},
		{"enough free", snap(f(600), f(600)), all, ""},
		{"pressure on an empty gpu", snap(f(9000), f(10)), all, ""},
		{"free not reported", snap(nil, nil), all, ""},
		{"gpu 1 only", snap(f(9000), f(10)), []Resident{{"asr", 2, CUDA(1)}, {"tts", 1, CUDA(0)}}, "asr"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := Pressure(tc.snap, tc.residents, 512)
			if ok != (tc.want != "") || r.Model != tc.want {
				t.Fatalf("Pressure = %+v, %v; want %q", r, ok, tc.want)
			}
			if ok && (!strings.Contains(r.Reason, "memory pressure") || !strings.Contains(r.Reason, "512")) {
				t.Errorf("reason %q", r.Reason)
			}
		})
	}
}
