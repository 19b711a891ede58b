package frontend_test

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"parley/pipeline/asr/frontend"
)

func TestCMVNApply(t *testing.T) {
	c := frontend.CMVN{NegMean: []float32{-1, 2}, InvStddev: []float32{0.5, 2}}
	feats := [][]float32{{3, 1}, {1, -2}}
	if err := c.Apply(feats); err != nil {
		t.Fatal(err)
	}
	want := [][]float32{{1, 6}, {0, 0}}
	if !reflect.DeepEqual(feats, want) {
		t.Errorf("got %v, want %v", feats, want)
	}
}

func TestCMVNApplyErrors(t *testing.T) {
	tests := []struct {
		name  string
		cmvn  frontend.CMVN
		feats [][]float32
		say   string
	}{
		{"vectors differ", frontend.CMVN{NegMean: []float32{1, 2}, InvStddev: []float32{1}}, [][]float32{{1, 2}}, "inv_stddev 1"},
		{"first frame too wide", frontend.CMVN{NegMean: []float32{1}, InvStddev: []float32{1}}, [][]float32{{1, 2}}, "frame 0 has 2"},
		{"later frame short", frontend.CMVN{NegMean: []float32{1, 1}, InvStddev: []float32{1, 1}}, [][]float32{{1, 2}, {3}}, "frame 1 has 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			first := append([]float32(nil), tc.feats[0]...)
			err := tc.cmvn.Apply(tc.feats)
			if !errors.Is(err, frontend.ErrDimension) || !strings.Contains(err.Error(), tc.say) {
				t.Fatalf("got %v, want ErrDimension saying %q", err, tc.say)
			}
			if !reflect.DeepEqual(first, tc.feats[0]) {
				t.Errorf("frame 0 changed on error: %v -> %v", first, tc.feats[0])
			}
		})
	}
}

func TestParseCMVNMetadata(t *testing.T) {
	c, err := frontend.ParseCMVNMetadata("-1.5, 2,3e-1", "1,0.5,4")
	if err != nil {
		t.Fatal(err)
	}
	want := frontend.CMVN{NegMean: []float32{-1.5, 2, 0.3}, InvStddev: []float32{1, 0.5, 4}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got %+v, want %+v", c, want)
	}
}

func TestParseCMVNMetadataErrors(t *testing.T) {
	tests := []struct {
		name, mean, std string
		sentinel        error
		say             string
	}{
		{"empty mean", "", "1", frontend.ErrCMVNFormat, "neg_mean: no values"},
		{"empty std", "1", " ", frontend.ErrCMVNFormat, "inv_stddev: no values"},
		{"bad mean", "1,x,3", "1,1,1", frontend.ErrCMVNFormat, `neg_mean: value 2 of 3 ("x")`},
		{"trailing comma", "1,2", "1,2,", frontend.ErrCMVNFormat, "inv_stddev: value 3 of 3"},
		{"NaN", "1,NaN", "1,2", frontend.ErrCMVNFormat, "neg_mean: value 2 of 2"},
		{"lengths differ", "1,2", "1", frontend.ErrDimension, "neg_mean has 2 values, inv_stddev 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := frontend.ParseCMVNMetadata(tc.mean, tc.std)
			if !errors.Is(err, tc.sentinel) || !strings.Contains(err.Error(), tc.say) {
				t.Errorf("got %v, want %v saying %q", err, tc.sentinel, tc.say)
			}
		})
	}
}

func TestReadAMMVN(t *testing.T) {
	c, err := frontend.ReadAMMVN(filepath.Join("testdata", "small.am.mvn"))
	if err != nil {
		t.Fatal(err)
	}
	want := frontend.CMVN{NegMean: []float32{-8.5, -9.25, -10, 1e-3}, InvStddev: []float32{0.125, 0.25, 0.5, 1}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got %+v, want %+v", c, want)
	}
	c, err = frontend.ReadAMMVN(filepath.Join("testdata", "cmvn560.am.mvn"))
	if err != nil || c.Dim() != 560 || len(c.InvStddev) != 560 {
		t.Errorf("cmvn560.am.mvn: dim %d/%d, err %v", c.Dim(), len(c.InvStddev), err)
	}
}

func TestReadAMMVNErrors(t *testing.T) {
	tests := []struct {
		file     string
		sentinel error
		say      string
	}{
		{"broken-missing-rescale.am.mvn", frontend.ErrCMVNFormat, "no <Rescale> component"},
		{"broken-count.am.mvn", frontend.ErrCMVNFormat, "line 5 (<AddShift> vector): malformed CMVN data: 3 values, header says 4"},
		{"broken-value.am.mvn", frontend.ErrCMVNFormat, `line 7 (<Rescale> vector): malformed CMVN data: vector: value 2 of 4 ("0.2x5")`},
		{"broken-no-brackets.am.mvn", frontend.ErrCMVNFormat, "line 5 (<AddShift> vector)"},
		{"broken-dims-differ.am.mvn", frontend.ErrDimension, "<AddShift> has 4 values, <Rescale> 3"},
		{"no-such.am.mvn", nil, "read am.mvn"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", tc.file)
			_, err := frontend.ReadAMMVN(path)
			if err == nil || tc.sentinel != nil && !errors.Is(err, tc.sentinel) ||
				!strings.Contains(err.Error(), tc.say) || !strings.Contains(err.Error(), path) {
				t.Errorf("got %v, want %v naming %s and saying %q", err, tc.sentinel, path, tc.say)
			}
		})
	}
}
