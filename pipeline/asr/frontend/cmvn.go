package frontend

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// CMVN holds the global mean/variance normalisation of FunASR models, as
// stored in ONNX metadata (neg_mean, inv_stddev) or am.mvn.
type CMVN struct {
	// NegMean is added to each feature dimension (the negated mean).
	NegMean []float32
	// InvStddev then multiplies each dimension (1 / standard deviation).
	InvStddev []float32
}

// Dim returns the feature width the CMVN applies to.
func (c CMVN) Dim() int { return len(c.NegMean) }

// IsZero reports whether the CMVN has no vectors (normalisation disabled).
func (c CMVN) IsZero() bool { return len(c.NegMean) == 0 && len(c.InvStddev) == 0 }

// Apply normalises feats in place, y = (x + NegMean) * InvStddev. It
// checks every width first and leaves feats untouched on error.
func (c CMVN) Apply(feats [][]float32) error {
	if len(c.NegMean) != len(c.InvStddev) {
		return fmt.Errorf("%w: CMVN neg_mean has %d values, inv_stddev %d", ErrDimension, len(c.NegMean), len(c.InvStddev))
	}
	for i, row := range feats {
		if len(row) != c.Dim() {
			return fmt.Errorf("%w: frame %d has %d values, CMVN has %d", ErrDimension, i, len(row), c.Dim())
		}
	}
	for _, row := range feats {
		for j := range row {
			row[j] = (row[j] + c.NegMean[j]) * c.InvStddev[j]
		}
	}
	return nil
}

// ParseCMVNMetadata parses the comma-separated neg_mean and inv_stddev
// values of sherpa-onnx model metadata; errors name the key and position.
func ParseCMVNMetadata(negMean, invStddev string) (CMVN, error) {
	mean, err := parseFloatList("neg_mean", strings.Split(negMean, ","))
	if err != nil {
		return CMVN{}, err
	}
	std, err := parseFloatList("inv_stddev", strings.Split(invStddev, ","))
	if err != nil {
		return CMVN{}, err
	}
	if len(mean) != len(std) {
		return CMVN{}, fmt.Errorf("%w: metadata neg_mean has %d values, inv_stddev %d", ErrDimension, len(mean), len(std))
	}
	return CMVN{NegMean: mean, InvStddev: std}, nil
}

// parseFloatList parses fields as float32; what names the source in errors.
func parseFloatList(what string, fields []string) ([]float32, error) {
	if len(fields) == 0 || len(fields) == 1 && strings.TrimSpace(fields[0]) == "" {
		return nil, fmt.Errorf("%w: %s: no values", ErrCMVNFormat, what)
	}
	out := make([]float32, len(fields))
	for i, s := range fields {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 32)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: value %d of %d (%q): %w", ErrCMVNFormat, what, i+1, len(fields), s, err)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: %s: value %d of %d (%q) is not finite", ErrCMVNFormat, what, i+1, len(fields), s)
		}
		out[i] = float32(v)
	}
	return out, nil
}
