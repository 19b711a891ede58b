package bench

import (
	"math"
	"strings"
)

// Verdicts.
const (
	// Pass means every compared output agreed within the tolerances.
	Pass = "PASS"
	// Fail means some output differed.
	Fail = "FAIL"
	// Skip means there was nothing to compare (e.g. no GPU row ran).
	Skip = "SKIP"
)

// MaxAbsDiff returns the largest |a[i]-b[i]| over the common length and
// whether the lengths match. NaN on either side counts as +Inf.
func MaxAbsDiff(a, b []float32) (float64, bool) {
	var m float64
	for i := range min(len(a), len(b)) {
		d := math.Abs(float64(a[i]) - float64(b[i]))
		if math.IsNaN(d) {
			d = math.Inf(1)
		}
		m = math.Max(m, d)
	}
	return m, len(a) == len(b)
}

// Correlation returns the Pearson correlation of a and b over their common
// length: 1 for identical signals, whatever their level. Two constant
// signals correlate 1 when equal and 0 otherwise; empty ones give 1.
func Correlation(a, b []float32) float64 {
	n := min(len(a), len(b))
	if n == 0 {
		return 1
	}
	ma, mb := mean(a[:n]), mean(b[:n])
	var sab, saa, sbb float64
	for i := range n {
		da, db := float64(a[i])-ma, float64(b[i])-mb
		sab, saa, sbb = sab+da*db, saa+da*da, sbb+db*db
	}
	if saa == 0 || sbb == 0 {
		if saa == sbb && ma == mb {
			return 1
		}
		return 0
	}
	return sab / math.Sqrt(saa*sbb)
}

func mean(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x)
	}
	return s / float64(len(v))
}

// Tolerances bound how far a device's outputs may stray from the
// reference's and still PASS. Text must always match exactly.
type Tolerances struct {
	// MaxAbsDiff bounds the largest absolute difference of logits or
	// probabilities (ASR, VAD); 0 means 0.05.
	MaxAbsDiff float64 `json:"max_abs_diff"`
	// MinCorrelation is the least correlation of synthesised audio (TTS);
	// 0 means 0.99.
	MinCorrelation float64 `json:"min_correlation"`
}

func (t Tolerances) withDefaults() Tolerances {
	if t.MaxAbsDiff <= 0 {
		t.MaxAbsDiff = 0.05
	}
	if t.MinCorrelation <= 0 {
		t.MinCorrelation = 0.99
	}
	return t
}

// TextDiff is one utterance whose transcripts differ between devices.
type TextDiff struct {
	// ID is the input.
	ID string `json:"id"`
	// Reference is the reference device's text; Got the compared device's.
	Reference string `json:"reference"`
	Got       string `json:"got"`
}

// Check compares one model's outputs on one device with the reference
// device's, input by input.
type Check struct {
	// Model and Kind name the model; Device is the compared device and
	// Reference the device it is compared with (the CPU).
	Model     string `json:"model"`
	Kind      Kind   `json:"kind"`
	Device    string `json:"device"`
	Reference string `json:"reference"`
	// Items is the number of inputs compared.
	Items int `json:"items"`
	// TextDiffs lists every input whose text differs, with both texts.
	TextDiffs []TextDiff `json:"text_diffs,omitempty"`
	// MaxAbsDiff is the largest absolute difference of Values (-1 when the
	// model has none).
	MaxAbsDiff float64 `json:"max_abs_diff"`
	// MinCorrelation is the least correlation of Values (TTS audio; -1 for
	// other kinds).
	MinCorrelation float64 `json:"min_correlation"`
	// LengthMismatch lists inputs whose Values differ in length.
	LengthMismatch []string `json:"length_mismatch,omitempty"`
	// Verdict is PASS, FAIL or SKIP; Reason says why when not PASS.
	Verdict string `json:"verdict"`
	Reason  string `json:"reason,omitempty"`
}

// Compare checks got against ref (outputs of the same inputs, in order) for
// a model of kind k.
func Compare(k Kind, inputs []Input, ref, got []Output, tol Tolerances) Check {
	tol = tol.withDefaults()
	c := Check{Kind: k, Items: min(len(ref), len(got), len(inputs)), MaxAbsDiff: -1, MinCorrelation: -1}
	for i := range c.Items {
		c.compareOne(k, inputs[i].ID, ref[i], got[i])
	}
	c.Verdict, c.Reason = c.judge(tol)
	if len(ref) != len(got) {
		c.Verdict, c.Reason = Fail, "different numbers of outputs"
	}
	return c
}

func (c *Check) compareOne(k Kind, id string, ref, got Output) {
	if strings.TrimSpace(ref.Text) != strings.TrimSpace(got.Text) {
		c.TextDiffs = append(c.TextDiffs, TextDiff{ID: id, Reference: ref.Text, Got: got.Text})
	}
	if ref.Values == nil && got.Values == nil {
		return
	}
	d, same := MaxAbsDiff(ref.Values, got.Values)
	c.MaxAbsDiff = math.Max(c.MaxAbsDiff, d)
	if !same {
		c.LengthMismatch = append(c.LengthMismatch, id)
	}
	if k == KindTTS {
		r := Correlation(ref.Values, got.Values)
		if c.MinCorrelation < 0 || r < c.MinCorrelation {
			c.MinCorrelation = r
		}
	}
}

// judge returns the verdict and, for a FAIL, every reason.
func (c *Check) judge(tol Tolerances) (string, string) {
	var why []string
	if n := len(c.TextDiffs); n > 0 {
		why = append(why, plural(n, "transcript differs", "transcripts differ"))
	}
	if len(c.LengthMismatch) > 0 {
		why = append(why, plural(len(c.LengthMismatch), "output length differs", "output lengths differ"))
	}
	if c.Kind != KindTTS && c.MaxAbsDiff > tol.MaxAbsDiff {
		why = append(why, "max abs difference "+fmtG(c.MaxAbsDiff)+" > "+fmtG(tol.MaxAbsDiff))
	}
	if c.Kind == KindTTS && c.MinCorrelation >= 0 && c.MinCorrelation < tol.MinCorrelation {
		why = append(why, "audio correlation "+fmtG(c.MinCorrelation)+" < "+fmtG(tol.MinCorrelation))
	}
	if len(why) > 0 {
		return Fail, strings.Join(why, "; ")
	}
	if c.Items == 0 {
		return Skip, "no outputs to compare"
	}
	return Pass, ""
}
