package frontend

import "errors"

var (
	// ErrInvalidOption indicates an fbank or LFR setting outside its valid
	// range; the error names the field.
	ErrInvalidOption = errors.New("invalid front-end option")
	// ErrDimension indicates features and CMVN vectors of different widths.
	ErrDimension = errors.New("feature dimension mismatch")
	// ErrCMVNFormat indicates CMVN vectors that cannot be parsed, from ONNX
	// metadata or an am.mvn file; the error names the key or file and line.
	ErrCMVNFormat = errors.New("malformed CMVN data")
)
