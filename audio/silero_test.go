package audio

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"parley/gpu"
)

// fakeSilero records every Run and answers with a probability and a state
// that encodes the call number, so tests can check what was fed back.
type fakeSilero struct {
	info  gpu.ModelInfo
	calls [][]gpu.Tensor
	fail  error
}

func sileroInfo() gpu.ModelInfo {
	return gpu.ModelInfo{
		Inputs: []gpu.TensorInfo{
			{Name: "input", Type: "float32", Shape: []int64{-1, -1}},
			{Name: "state", Type: "float32", Shape: []int64{2, -1, 128}},
			{Name: "sr", Type: "int64", Shape: []int64{}},
		},
		Outputs: []gpu.TensorInfo{
			{Name: "output", Type: "float32", Shape: []int64{-1, 1}},
			{Name: "stateN", Type: "float32", Shape: []int64{2, -1, 128}},
		},
	}
}

func (f *fakeSilero) Info() gpu.ModelInfo { return f.info }

func (f *fakeSilero) Run(_ context.Context, in []gpu.Tensor, names []string) ([]gpu.Tensor, error) {
	if f.fail != nil {
		return nil, f.fail
	}
	f.calls = append(f.calls, in)
	n := float32(len(f.calls))
	state := make([]float32, 256)
	for i := range state {
		state[i] = n
	}
	return []gpu.Tensor{
		{Name: names[0], Shape: []int64{1, 1}, Data: []float32{n / 10}},
		{Name: names[1], Shape: []int64{2, 1, 128}, Data: state},
	}, nil
}

func TestSileroFeedsContextAndState(t *testing.T) {
	r := &fakeSilero{info: sileroInfo()}
	v, err := NewSileroVAD(r)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, second := sine(440, SampleRate, FrameSize, 0.5), frameOf(7)
	for i, f := range [][]float32{first, second} {
		p, err := v.Prob(ctx, f)
		if err != nil || p != float32(i+1)/10 {
			t.Fatalf("call %d: p = %v, err = %v", i+1, p, err)
		}
	}
	in1, in2 := r.calls[0], r.calls[1]
	if in1[0].Name != "input" || !slices.Equal(in1[0].Shape, []int64{1, 576}) {
		t.Fatalf("input tensor %q %v", in1[0].Name, in1[0].Shape)
	}
	x1, x2 := in1[0].Data.([]float32), in2[0].Data.([]float32)
	if !slices.Equal(x1[:64], make([]float32, 64)) || !slices.Equal(x1[64:], first) {
		t.Fatal("first input is not zero context + frame")
	}
	if !slices.Equal(x2[:64], first[FrameSize-64:]) || !slices.Equal(x2[64:], second) {
		t.Fatal("second input's context is not the first frame's last 64 samples")
	}
	s1, s2 := in1[1].Data.([]float32), in2[1].Data.([]float32)
	if !slices.Equal(in1[1].Shape, []int64{2, 1, 128}) || s1[0] != 0 || s2[0] != 1 || s2[255] != 1 {
		t.Fatalf("state not zero then fed back: %v %v %v", in1[1].Shape, s1[0], s2[0])
	}
	if sr := in1[2]; sr.Name != "sr" || !slices.Equal(sr.Shape, []int64{1}) || sr.Data.([]int64)[0] != 16000 {
		t.Fatalf("sr tensor %+v", sr)
	}
	v.Reset()
	if _, err := v.Prob(ctx, second); err != nil {
		t.Fatal(err)
	}
	x3, s3 := r.calls[2][0].Data.([]float32), r.calls[2][1].Data.([]float32)
	if !slices.Equal(x3[:64], make([]float32, 64)) || s3[0] != 0 {
		t.Fatal("Reset did not zero context and state")
	}
}

func TestSileroValidatesModel(t *testing.T) {
	info := sileroInfo()
	info.Inputs = info.Inputs[:2]   // no sr
	info.Outputs = info.Outputs[:1] // no stateN
	_, err := NewSileroVAD(&fakeSilero{info: info})
	if !errors.Is(err, ErrModelContract) || !strings.Contains(err.Error(), "input sr") || !strings.Contains(err.Error(), "output stateN") {
		t.Fatalf("err = %v, want ErrModelContract naming input sr and output stateN", err)
	}
}

func TestSileroErrors(t *testing.T) {
	r := &fakeSilero{info: sileroInfo()}
	v, err := NewSileroVAD(r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Prob(context.Background(), make([]float32, 256)); !errors.Is(err, ErrFrameSize) {
		t.Fatalf("short frame: err = %v", err)
	}
	boom := errors.New("device lost")
	r.fail = boom
	if _, err := v.Prob(context.Background(), make([]float32, FrameSize)); !errors.Is(err, boom) {
		t.Fatalf("runner failure: err = %v", err)
	}
	if v.Name() != "silero" {
		t.Fatalf("name %q", v.Name())
	}
}
