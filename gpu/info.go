package gpu

import (
	"fmt"
	"os"
	"sync"
	"time"

	ort "github.com/yalue/onnxruntime_go"
)

// infoCache remembers each model file's ModelInfo. Reading a file's inputs
// and outputs costs ORT a throwaway session, so it is done once per file
// version (path, size, modification time), not once per device switch.
type infoCache struct {
	mu      sync.Mutex
	entries map[string]infoEntry
}

type infoEntry struct {
	size     int64
	modTime  time.Time
	info     ModelInfo
	metadata bool // info.Metadata has been read
}

// get returns the inputs and outputs of the model at path.
func (c *infoCache) get(path string) (ModelInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return ModelInfo{}, fmt.Errorf("read model info: %w", err)
	}
	c.mu.Lock()
	e, ok := c.entries[path]
	c.mu.Unlock()
	if ok && e.size == st.Size() && e.modTime.Equal(st.ModTime()) {
		return e.info, nil
	}
	info, err := readModelInfo(path)
	if err != nil {
		return ModelInfo{}, err
	}
	c.put(path, infoEntry{size: st.Size(), modTime: st.ModTime(), info: info})
	return info, nil
}

// put stores an entry.
func (c *infoCache) put(path string, e infoEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = make(map[string]infoEntry)
	}
	c.entries[path] = e
}

// withMetadata returns the cached info for path with its custom metadata,
// reading the metadata from s the first time.
func (c *infoCache) withMetadata(path string, s *ort.DynamicAdvancedSession) ModelInfo {
	c.mu.Lock()
	e := c.entries[path]
	c.mu.Unlock()
	if e.metadata {
		return e.info
	}
	e.info.Metadata = readMetadata(s)
	e.metadata = true
	c.put(path, e)
	return e.info
}

// readModelInfo reads the declared inputs and outputs of the model at path.
func readModelInfo(path string) (ModelInfo, error) {
	so, err := ort.NewSessionOptions()
	if err != nil {
		return ModelInfo{}, fmt.Errorf("read model info of %s: %w", path, err)
	}
	defer so.Destroy()
	_ = so.SetLogSeverityLevel(ort.LoggingLevelFatal)
	_ = so.SetGraphOptimizationLevel(ort.GraphOptimizationLevelDisableAll)
	in, out, err := ort.GetInputOutputInfoWithOptions(path, so)
	if err != nil {
		return ModelInfo{}, fmt.Errorf("read model info of %s: %w", path, err)
	}
	return ModelInfo{Inputs: tensorInfos(in), Outputs: tensorInfos(out)}, nil
}

// tensorInfos converts ORT's descriptions.
func tensorInfos(in []ort.InputOutputInfo) []TensorInfo {
	out := make([]TensorInfo, len(in))
	for i, t := range in {
		out[i] = TensorInfo{Name: t.Name, Type: elementType(t.DataType), Shape: append([]int64(nil), t.Dimensions...)}
	}
	return out
}

// elementType names an ORT element type the way TensorInfo does.
func elementType(t ort.TensorElementDataType) string {
	switch t {
	case ort.TensorElementDataTypeFloat:
		return "float32"
	case ort.TensorElementDataTypeInt64:
		return "int64"
	case ort.TensorElementDataTypeInt32:
		return "int32"
	case ort.TensorElementDataTypeFloat16:
		return "float16"
	case ort.TensorElementDataTypeDouble:
		return "float64"
	case ort.TensorElementDataTypeBool:
		return "bool"
	case ort.TensorElementDataTypeUint8:
		return "uint8"
	case ort.TensorElementDataTypeInt8:
		return "int8"
	case ort.TensorElementDataTypeString:
		return "string"
	}
	return t.String()
}

// readMetadata returns the model's custom metadata_props (empty, not nil,
// when there are none or they cannot be read).
func readMetadata(s *ort.DynamicAdvancedSession) map[string]string {
	out := map[string]string{}
	md, err := s.GetModelMetadata()
	if err != nil {
		return out
	}
	defer md.Destroy()
	keys, err := md.GetCustomMetadataMapKeys()
	if err != nil {
		return out
	}
	for _, k := range keys {
		if v, ok, err := md.LookupCustomMetadataMap(k); err == nil && ok {
			out[k] = v
		}
	}
	return out
}
