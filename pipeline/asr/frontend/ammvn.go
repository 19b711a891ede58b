package frontend

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ReadAMMVN reads FunASR's am.mvn, a Kaldi nnet1 text file in which the
// "<LearnRateCoef> 0 [ … ]" line after "<AddShift> D D" holds the negated
// means and the one after "<Rescale> D D" the inverse standard deviations.
// Each vector must sit on one line (as FunASR writes and reads it) and hold
// D values. Errors name the file and, where there is one, the line.
func ReadAMMVN(path string) (CMVN, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return CMVN{}, fmt.Errorf("read am.mvn: %w", err)
	}
	c, err := parseAMMVN(strings.Split(string(data), "\n"))
	if err != nil {
		return CMVN{}, fmt.Errorf("am.mvn %s: %w", path, err)
	}
	return c, nil
}

// parseAMMVN finds the <AddShift> and <Rescale> vectors in lines.
func parseAMMVN(lines []string) (CMVN, error) {
	var c CMVN
	for i := 0; i < len(lines); i++ {
		fields := strings.Fields(lines[i])
		if len(fields) == 0 || fields[0] != "<AddShift>" && fields[0] != "<Rescale>" {
			continue
		}
		v, err := componentVector(fields, lines, i)
		if err != nil {
			return CMVN{}, err
		}
		if fields[0] == "<AddShift>" {
			c.NegMean = v
		} else {
			c.InvStddev = v
		}
		i++
	}
	return c, checkAMMVN(c)
}

// componentVector parses the vector line that follows the component header
// lines[i] (split into header).
func componentVector(header, lines []string, i int) ([]float32, error) {
	name := header[0]
	if len(header) != 3 {
		return nil, fmt.Errorf("%w: line %d: want %q, got %q", ErrCMVNFormat, i+1, name+" D D", lines[i])
	}
	dim, err := strconv.Atoi(header[2])
	if err != nil || dim < 1 {
		return nil, fmt.Errorf("%w: line %d: bad %s dimension %q", ErrCMVNFormat, i+1, name, header[2])
	}
	if i+1 >= len(lines) {
		return nil, fmt.Errorf("%w: line %d: %s has no <LearnRateCoef> line after it", ErrCMVNFormat, i+1, name)
	}
	v, err := learnRateVector(strings.Fields(lines[i+1]), dim)
	if err != nil {
		return nil, fmt.Errorf("line %d (%s vector): %w", i+2, name, err)
	}
	return v, nil
}

// learnRateVector parses "<LearnRateCoef> c [ v1 … vdim ]".
func learnRateVector(fields []string, dim int) ([]float32, error) {
	if len(fields) < 4 || fields[0] != "<LearnRateCoef>" || fields[2] != "[" || fields[len(fields)-1] != "]" {
		return nil, fmt.Errorf("%w: want \"<LearnRateCoef> c [ values … ]\" on one line", ErrCMVNFormat)
	}
	values := fields[3 : len(fields)-1]
	if len(values) != dim {
		return nil, fmt.Errorf("%w: %d values, header says %d", ErrCMVNFormat, len(values), dim)
	}
	return parseFloatList("vector", values)
}

// checkAMMVN requires both vectors, of the same width.
func checkAMMVN(c CMVN) error {
	switch {
	case c.NegMean == nil:
		return fmt.Errorf("%w: no <AddShift> component", ErrCMVNFormat)
	case c.InvStddev == nil:
		return fmt.Errorf("%w: no <Rescale> component", ErrCMVNFormat)
	case len(c.NegMean) != len(c.InvStddev):
		return fmt.Errorf("%w: <AddShift> has %d values, <Rescale> %d", ErrDimension, len(c.NegMean), len(c.InvStddev))
	}
	return nil
}
