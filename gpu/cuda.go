package gpu

import (
	"fmt"
	"strconv"
	"strings"

	ort "github.com/yalue/onnxruntime_go"
)

// CUDAOptions configures the CUDA execution provider of one session.
type CUDAOptions struct {
	// MemLimitBytes caps the provider's memory arena (gpu_mem_limit); 0
	// leaves ORT's default (no cap).
	MemLimitBytes int64
	// ConvAlgoSearch is cudnn_conv_algo_search: "DEFAULT" (also ""), or
	// "HEURISTIC". "EXHAUSTIVE" is refused: it benchmarks every convolution
	// algorithm on first use and can stall a run for seconds (FunASR #1793).
	ConvAlgoSearch string
}

// providerOptions returns the CUDA provider's key/value options for dev.
func (o CUDAOptions) providerOptions(dev Device) (map[string]string, error) {
	search := strings.ToUpper(strings.TrimSpace(o.ConvAlgoSearch))
	switch search {
	case "":
		search = "DEFAULT"
	case "DEFAULT", "HEURISTIC":
	default:
		return nil, fmt.Errorf("%w: cudnn_conv_algo_search %q: want DEFAULT or HEURISTIC", ErrBadOption, o.ConvAlgoSearch)
	}
	kv := map[string]string{
		"device_id":              strconv.Itoa(dev.Index),
		"arena_extend_strategy":  "kSameAsRequested",
		"cudnn_conv_algo_search": search,
	}
	if o.MemLimitBytes > 0 {
		kv["gpu_mem_limit"] = strconv.FormatInt(o.MemLimitBytes, 10)
	}
	return kv, nil
}

// appendCUDA appends the CUDA provider for dev to so. The error is ORT's own
// text (with the options error, which often names the missing library, in
// parentheses), so it can be shown as the fallback reason as it is.
func appendCUDA(so *ort.SessionOptions, dev Device, opts CUDAOptions) error {
	kv, err := opts.providerOptions(dev)
	if err != nil {
		return err
	}
	co, err := ort.NewCUDAProviderOptions()
	if err != nil {
		return fmt.Errorf("create CUDA provider options: %w", err)
	}
	defer co.Destroy()
	updateErr := co.Update(kv)
	if err := so.AppendExecutionProviderCUDA(co); err != nil {
		if updateErr != nil {
			return fmt.Errorf("%w (%s)", err, ortMessage(updateErr))
		}
		return err
	}
	if updateErr != nil {
		return fmt.Errorf("set CUDA provider options: %w", updateErr)
	}
	return nil
}

// ortMessage returns ORT's error message without the source location and
// status code ORT puts in front, e.g. "/onnxruntime_src/...cc:1988 ...
// [ONNXRuntimeError] : 1 : FAIL : ".
func ortMessage(err error) string {
	msg := err.Error()
	const marker = "[ONNXRuntimeError] : "
	i := strings.Index(msg, marker)
	if i < 0 {
		return msg
	}
	parts := strings.SplitN(msg[i+len(marker):], " : ", 3)
	if len(parts) != 3 {
		return msg
	}
	return parts[2]
}
