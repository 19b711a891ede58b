package frontend

import "fmt"

// Features runs the whole front end for one utterance: fbank, LFR(lfrM,
// lfrN), then cmvn in place. A zero cmvn (no vectors) skips normalisation;
// otherwise its width must be lfrM times the fbank's NumBins, which is
// checked even when the audio is too short to yield a frame (then the result
// is empty and the error nil).
func Features(f *Fbank, samples []float32, lfrM, lfrN int, cmvn CMVN) ([][]float32, error) {
	if f == nil {
		return nil, fmt.Errorf("%w: features: nil Fbank", ErrInvalidOption)
	}
	if lfrM < 1 || lfrN < 1 {
		return nil, fmt.Errorf("%w: features: LFR window %d / shift %d, want both >= 1", ErrInvalidOption, lfrM, lfrN)
	}
	if !cmvn.IsZero() && (cmvn.Dim() != lfrM*f.opts.NumBins || len(cmvn.InvStddev) != cmvn.Dim()) {
		return nil, fmt.Errorf("%w: features: CMVN has %d/%d values, LFR output is %d wide",
			ErrDimension, len(cmvn.NegMean), len(cmvn.InvStddev), lfrM*f.opts.NumBins)
	}
	feats := LFR(f.Compute(samples), lfrM, lfrN)
	if cmvn.IsZero() {
		return feats, nil
	}
	if err := cmvn.Apply(feats); err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	return feats, nil
}
