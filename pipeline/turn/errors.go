package turn

import "errors"

var (
	// ErrInvalidOptions indicates detector options outside their range.
	ErrInvalidOptions = errors.New("invalid turn detector options")
	// ErrContract indicates a Smart Turn model whose inputs or outputs are
	// not the ones the detector feeds and reads.
	ErrContract = errors.New("smart-turn model contract mismatch")
	// ErrOutput indicates a Smart Turn run that returned an unusable output.
	ErrOutput = errors.New("smart-turn model output unusable")
)
