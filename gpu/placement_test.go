package gpu

import (
	"context"
	"strings"
	"testing"

	"parley/internal/testenv"
)

func TestCheckPlacementCPU(t *testing.T) {
	rt := testRuntime(t)
	p, err := rt.CheckPlacement(context.Background(), SessionSpec{Path: testenv.SileroModel(t)}, sileroFrame(0))
	if err != nil {
		t.Fatal(err)
	}
	if p.Nodes == 0 || len(p.Elsewhere) != 0 || p.ByProvider["CPUExecutionProvider"] != p.Nodes {
		t.Fatalf("placement = %+v", p)
	}
	if s := p.String(); !strings.HasPrefix(s, "all ") || !strings.HasSuffix(s, "nodes on CPUExecutionProvider") {
		t.Errorf("String = %q", s)
	}
}

// TestFakeGPUPlacementIsHonest: a fake GPU is really the CPU, and a
// placement check must say so rather than let "cuda" mean CPU silently.
func TestFakeGPUPlacementIsHonest(t *testing.T) {
	rt := testRuntime(t)
	m, err := NewModel(context.Background(), ModelSpec{
		Name: "asr", Path: testenv.SileroModel(t), Device: "cuda:0",
		Factory: &FakeGPU{Base: rt}, Warmup: sileroFrame(0), CheckPlacement: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	st := m.State()
	if st.Active != "cuda:0" || !strings.Contains(st.Placement, "nodes not on CUDAExecutionProvider") || !strings.Contains(st.Placement, "CPUExecutionProvider") {
		t.Fatalf("placement = %q", st.Placement)
	}
	t.Logf("fake GPU placement: %s", st.Placement)
}

func TestParseProfile(t *testing.T) {
	data := `[{"cat":"Session","name":"model_loading_uri","args":{}},
	{"cat":"Node","name":"Conv_0_kernel_time","args":{"op_name":"Conv","provider":"CUDAExecutionProvider"}},
	{"cat":"Node","name":"Shape_1_kernel_time","args":{"op_name":"Shape","provider":"CPUExecutionProvider"}},
	{"cat":"Node","name":"Conv_0_kernel_time","args":{"op_name":"Conv","provider":"CUDAExecutionProvider"}}]`
	p, err := parseProfile([]byte(data), CUDA(0))
	if err != nil {
		t.Fatal(err)
	}
	if want := "1 of 2 nodes not on CUDAExecutionProvider: Shape_1 (Shape, CPUExecutionProvider)"; p.String() != want {
		t.Errorf("String = %q, want %q", p.String(), want)
	}
	if _, err := parseProfile([]byte("{"), CUDA(0)); err == nil {
		t.Error("bad JSON accepted")
	}
}
