package asr

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"parley/gpu"
	"parley/pipeline/asr/frontend"
)

// Variant names the export a model directory comes from.
type Variant string

const (
	// VariantSherpa is a sherpa-onnx export or repackage: metadata in the
	// graph, tokens.txt beside it.
	VariantSherpa Variant = "sherpa-onnx"
	// VariantFunASR is FunASR's own export: no (or little) metadata,
	// tokens.json and am.mvn beside it.
	VariantFunASR Variant = "funasr"
)

// featureDim is the LFR feature width every contract here expects (7 × 80).
const featureDim = 560

// Element types accepted for tensors.
var (
	typesFloat = []string{"float32"}
	typesInt   = []string{"int32", "int64"}
)

// tensorRule is what a contract demands of one input or output.
type tensorRule struct {
	name    string
	types   []string
	rank    int
	lastDim int64 // 0: any; otherwise the declared last dimension (or -1)
}

// contract is one export's tensor layout.
type contract struct {
	variant  Variant
	inputs   []tensorRule
	outputs  []tensorRule
	optional []tensorRule // outputs that may be present
}

// names lists the rules' tensor names.
func names(rules []tensorRule) []string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = r.name
	}
	return out
}

// infoNames lists the tensors' names.
func infoNames(infos []gpu.TensorInfo) []string {
	out := make([]string, len(infos))
	for i, t := range infos {
		out[i] = t.Name
	}
	return out
}

// detectContract picks the contract whose first input the model declares
// and checks every tensor against it.
func detectContract(file string, info gpu.ModelInfo, candidates []contract) (contract, error) {
	got := infoNames(info.Inputs)
	for _, c := range candidates {
		if slices.Contains(got, c.inputs[0].name) {
			return c, checkContract(file, info, c)
		}
	}
	want := make([]string, len(candidates))
	for i, c := range candidates {
		want[i] = fmt.Sprintf("%s [%s]", c.variant, strings.Join(names(c.inputs), " "))
	}
	return contract{}, fmt.Errorf("%s: %w: inputs [%s] match no known export; want %s",
		file, ErrContract, strings.Join(got, " "), strings.Join(want, " or "))
}

// checkContract checks declared inputs and outputs against c. Extra inputs
// are errors (a run would leave them unfed); extra outputs are ignored.
func checkContract(file string, info gpu.ModelInfo, c contract) error {
	for _, in := range info.Inputs {
		if !slices.Contains(names(c.inputs), in.Name) {
			return fmt.Errorf("%s: %w: unexpected input %q (%s export wants [%s])",
				file, ErrContract, in.Name, c.variant, strings.Join(names(c.inputs), " "))
		}
	}
	if err := checkTensors(file, "input", info.Inputs, c.inputs, true); err != nil {
		return err
	}
	if err := checkTensors(file, "output", info.Outputs, c.outputs, true); err != nil {
		return err
	}
	return checkTensors(file, "output", info.Outputs, c.optional, false)
}

// checkTensors checks each rule against the declared tensor of its name.
func checkTensors(file, kind string, infos []gpu.TensorInfo, rules []tensorRule, required bool) error {
	for _, r := range rules {
		i := slices.IndexFunc(infos, func(t gpu.TensorInfo) bool { return t.Name == r.name })
		if i < 0 {
			if !required {
				continue
			}
			return fmt.Errorf("%s: %w: %s %q missing (declared: [%s])",
				file, ErrContract, kind, r.name, strings.Join(infoNames(infos), " "))
		}
		if err := checkTensor(infos[i], r); err != nil {
			return fmt.Errorf("%s: %w: %s %q: %w", file, ErrContract, kind, r.name, err)
		}
	}
	return nil
}

// checkTensor checks one tensor's element type, rank and last dimension.
func checkTensor(t gpu.TensorInfo, r tensorRule) error {
	if !slices.Contains(r.types, t.Type) {
		return fmt.Errorf("type %s, want %s", t.Type, strings.Join(r.types, " or "))
	}
	if r.rank > 0 && len(t.Shape) != r.rank {
		return fmt.Errorf("shape %v, want rank %d", t.Shape, r.rank)
	}
	if r.lastDim > 0 && len(t.Shape) > 0 {
		if d := t.Shape[len(t.Shape)-1]; d != -1 && d != r.lastDim {
			return fmt.Errorf("shape %v, want last dimension %d", t.Shape, r.lastDim)
		}
	}
	return nil
}

// tensorType returns the declared element type of the named tensor.
func tensorType(infos []gpu.TensorInfo, name string) string {
	for _, t := range infos {
		if t.Name == name {
			return t.Type
		}
	}
	return ""
}

// lastDim returns the declared last dimension of the named tensor (-1 when
// dynamic or unknown).
func lastDim(infos []gpu.TensorInfo, name string) int {
	for _, t := range infos {
		if t.Name == name && len(t.Shape) > 0 {
			return int(t.Shape[len(t.Shape)-1])
		}
	}
	return -1
}

// metadata reads typed values from a model's metadata_props.
type metadata struct {
	file string
	m    map[string]string
}

// has reports whether key is present.
func (md metadata) has(key string) bool {
	_, ok := md.m[key]
	return ok
}

// int returns the integer at key; a missing or malformed key is an error
// naming the file and key.
func (md metadata) int(key string) (int, error) {
	v, ok := md.m[key]
	if !ok {
		return 0, fmt.Errorf("%s: %w: metadata key %q missing", md.file, ErrContract, key)
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("%s: %w: metadata %q = %q, want an integer", md.file, ErrContract, key, v)
	}
	return n, nil
}

// intOr returns the integer at key, or def when the key is absent.
func (md metadata) intOr(key string, def int) (int, error) {
	if !md.has(key) {
		return def, nil
	}
	return md.int(key)
}

// expectInt checks that key holds want (when required or present).
func (md metadata) expectInt(key string, want int, required bool) error {
	if !required && !md.has(key) {
		return nil
	}
	got, err := md.int(key)
	if err == nil && got != want {
		err = fmt.Errorf("%s: %w: metadata %q = %d, want %d", md.file, ErrContract, key, got, want)
	}
	return err
}

// lfr returns the LFR window and shift from metadata, or 7 and 6 when the
// keys are absent and not required; parley's front end needs 7/6-sized
// 560-wide features, so other values are errors.
func (md metadata) lfr(required bool) (m, n int, err error) {
	if err := md.expectInt("lfr_window_size", 7, required); err != nil {
		return 0, 0, err
	}
	if err := md.expectInt("lfr_window_shift", 6, required); err != nil {
		return 0, 0, err
	}
	return 7, 6, nil
}

// cmvn returns the CMVN from metadata (neg_mean, inv_stddev) or, when the
// metadata has neither key, from the am.mvn file; the error names what is
// missing.
func (md metadata) cmvn(amMVN string) (frontend.CMVN, error) {
	neg, okN := md.m["neg_mean"]
	inv, okI := md.m["inv_stddev"]
	switch {
	case okN && okI:
		c, err := frontend.ParseCMVNMetadata(neg, inv)
		if err != nil {
			return c, fmt.Errorf("%s: %w: %w", md.file, ErrContract, err)
		}
		return c, checkCMVNDim(md.file, c)
	case okN || okI:
		return frontend.CMVN{}, fmt.Errorf("%s: %w: metadata has only one of neg_mean and inv_stddev", md.file, ErrContract)
	case amMVN == "":
		return frontend.CMVN{}, fmt.Errorf("%s: %w: no CMVN: metadata keys neg_mean/inv_stddev missing and no am.mvn beside it", md.file, ErrModelMissing)
	}
	c, err := frontend.ReadAMMVN(amMVN)
	if err != nil {
		return c, fmt.Errorf("%s: %w: %w", amMVN, ErrContract, err)
	}
	return c, checkCMVNDim(amMVN, c)
}

// checkCMVNDim checks that the CMVN fits 560-wide features.
func checkCMVNDim(source string, c frontend.CMVN) error {
	if len(c.NegMean) != featureDim || len(c.InvStddev) != featureDim {
		return fmt.Errorf("%s: %w: CMVN has %d/%d values, want %d", source, ErrContract, len(c.NegMean), len(c.InvStddev), featureDim)
	}
	return nil
}

// checkVocab checks that the tokens file, the metadata's vocab_size (when
// present) and the logits' declared last dimension (when static) agree.
func checkVocab(md metadata, tok *Tokens, logits string, declared int) error {
	if md.has("vocab_size") {
		n, err := md.int("vocab_size")
		if err != nil {
			return err
		}
		if n != tok.Len() {
			return fmt.Errorf("%w: %s has %d tokens, %s metadata vocab_size = %d", ErrContract, tok.Source, tok.Len(), md.file, n)
		}
	}
	if declared > 0 && declared != tok.Len() {
		return fmt.Errorf("%w: %s has %d tokens, %s output %q has vocabulary dimension %d", ErrContract, tok.Source, tok.Len(), md.file, logits, declared)
	}
	return nil
}
