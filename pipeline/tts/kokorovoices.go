package tts

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Kokoro's voice tables (MODEL_CONTRACTS.md section 5): float32 [510, 1, 256]
// per voice; row L is the style vector for L tokens.
const (
	kokoroRows       = 510
	kokoroStyleWidth = 256
	kokoroVoiceBytes = kokoroRows * kokoroStyleWidth * 4
	// npyMaxHeader bounds a .npy header; NumPy writes well under 1 kB.
	npyMaxHeader = 64 << 10
)

// Formats of a Kokoro voices file.
const (
	// VoicesNPZ is a NumPy .npz archive (voices-v1.0.bin): one NAME.npy
	// float32 [510, 1, 256] per voice.
	VoicesNPZ = "npz"
	// VoicesRaw is sherpa-onnx's voices.bin: float32 [N, 510, 1, 256], no
	// names (the model's speaker_names metadata names them, in order).
	VoicesRaw = "raw"
)

// ErrVoicesFile indicates a Kokoro voices file that is neither a NumPy .npz
// of float32 [510, 1, 256] arrays nor a raw float32 [N, 510, 1, 256] file;
// the error names the file and what is wrong.
var ErrVoicesFile = errors.New("invalid kokoro voices file")

// KokoroVoices indexes a Kokoro voices file: its format and voice names.
// Reading a voice's table (Style) opens the file again.
type KokoroVoices struct {
	// Path is the file.
	Path string
	// Format is VoicesNPZ or VoicesRaw.
	Format string
	// Names are the voices, sorted for npz, in file order for raw files.
	Names []string
}

// KokoroStyle is one voice's style table: kokoroRows rows of
// kokoroStyleWidth floats.
type KokoroStyle struct {
	data []float32
}

// Row returns a copy of style row l (0 <= l < 510): the style Kokoro is fed
// with l tokens.
func (s KokoroStyle) Row(l int) []float32 {
	return append([]float32(nil), s.data[l*kokoroStyleWidth:(l+1)*kokoroStyleWidth]...)
}

// OpenKokoroVoices indexes a voices file. A file starting with a zip header
// is read as NumPy .npz; any other as sherpa-onnx's raw layout, whose voices
// rawNames names in order (nil names them "0", "1", …). Errors wrap
// ErrVoicesFile (or the os error) and name the file.
func OpenKokoroVoices(path string, rawNames []string) (KokoroVoices, error) {
	f, err := os.Open(path)
	if err != nil {
		return KokoroVoices{}, fmt.Errorf("kokoro voices: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return KokoroVoices{}, fmt.Errorf("kokoro voices: %w", err)
	}
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err == nil && string(magic[:]) == "PK\x03\x04" {
		return npzIndex(f, st.Size(), path)
	}
	return rawIndex(st.Size(), path, rawNames)
}

// voicesError wraps ErrVoicesFile with the file and the problem.
func voicesError(path, format string, args ...any) error {
	return fmt.Errorf("kokoro voices %s: %w: %s", path, ErrVoicesFile, fmt.Sprintf(format, args...))
}

// npzIndex lists the .npy members of a zip archive as voice names.
func npzIndex(r io.ReaderAt, size int64, path string) (KokoroVoices, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return KokoroVoices{}, voicesError(path, "not a readable .npz (zip) archive: %v", err)
	}
	v := KokoroVoices{Path: path, Format: VoicesNPZ}
	seen := map[string]bool{}
	for _, zf := range zr.File {
		name, ok := strings.CutSuffix(zf.Name, ".npy")
		if !ok || name == "" || seen[name] {
			return KokoroVoices{}, voicesError(path, "member %q is not one voice's NAME.npy", zf.Name)
		}
		seen[name] = true
		v.Names = append(v.Names, name)
	}
	if len(v.Names) == 0 {
		return KokoroVoices{}, voicesError(path, "no voices")
	}
	sort.Strings(v.Names)
	return v, nil
}

// rawIndex checks a raw file's size and names its voices.
func rawIndex(size int64, path string, rawNames []string) (KokoroVoices, error) {
	if size == 0 || size%kokoroVoiceBytes != 0 {
		return KokoroVoices{}, voicesError(path, "%d bytes is neither an .npz archive nor whole raw voices of %d bytes (float32 [510, 1, 256])",
			size, kokoroVoiceBytes)
	}
	n := int(size / kokoroVoiceBytes)
	v := KokoroVoices{Path: path, Format: VoicesRaw, Names: rawNames}
	if rawNames == nil {
		v.Names = make([]string, n)
		for i := range n {
			v.Names[i] = strconv.Itoa(i)
		}
	}
	if len(v.Names) != n {
		return KokoroVoices{}, voicesError(path, "holds %d raw voices but the model names %d (metadata speaker_names)", n, len(v.Names))
	}
	return v, nil
}

// Style reads the style table of voice name. An unknown name wraps
// ErrUnknownVoice and lists the file's voices.
func (v KokoroVoices) Style(name string) (KokoroStyle, error) {
	i := indexOf(v.Names, name)
	if i < 0 {
		return KokoroStyle{}, fmt.Errorf("%w %q: %s has %s", ErrUnknownVoice, name, v.Path, strings.Join(v.Names, ", "))
	}
	var data []float32
	var err error
	if v.Format == VoicesNPZ {
		data, err = v.npzStyle(name)
	} else {
		data, err = v.rawStyle(i)
	}
	if err != nil {
		return KokoroStyle{}, err
	}
	if j := firstNonFinite(data); j >= 0 {
		return KokoroStyle{}, voicesError(v.Path, "voice %q: value %d is %v", name, j, data[j])
	}
	return KokoroStyle{data: data}, nil
}

func indexOf(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}

func firstNonFinite(data []float32) int {
	for i, x := range data {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return i
		}
	}
	return -1
}

// rawStyle reads voice i of a raw file.
func (v KokoroVoices) rawStyle(i int) ([]float32, error) {
	f, err := os.Open(v.Path)
	if err != nil {
		return nil, fmt.Errorf("kokoro voices: %w", err)
	}
	defer f.Close()
	buf := make([]byte, kokoroVoiceBytes)
	if _, err := f.ReadAt(buf, int64(i)*kokoroVoiceBytes); err != nil {
		return nil, voicesError(v.Path, "voice %q: %v", v.Names[i], err)
	}
	return littleEndianFloats(buf), nil
}

// npzStyle reads NAME.npy from the archive, reading no more than a voice's
// worth of bytes whatever the archive claims.
func (v KokoroVoices) npzStyle(name string) ([]float32, error) {
	zr, err := zip.OpenReader(v.Path)
	if err != nil {
		return nil, voicesError(v.Path, "not a readable .npz (zip) archive: %v", err)
	}
	defer zr.Close()
	rc, err := zr.Open(name + ".npy")
	if err != nil {
		return nil, voicesError(v.Path, "voice %q: %v", name, err)
	}
	defer rc.Close()
	raw, err := io.ReadAll(io.LimitReader(rc, npyMaxHeader+kokoroVoiceBytes+1))
	if err != nil {
		return nil, voicesError(v.Path, "voice %q: %v", name, err)
	}
	data, err := parseNPY(raw)
	if err != nil {
		return nil, voicesError(v.Path, "voice %q: %v", name, err)
	}
	return data, nil
}

// parseNPY decodes a NumPy .npy array that must be little-endian float32,
// C order, shaped [510, 1, 256] (or [510, 256]).
func parseNPY(b []byte) ([]float32, error) {
	header, data, err := npyHeader(b)
	if err != nil {
		return nil, err
	}
	if descr := npyField(header, "descr"); descr != "'<f4'" {
		return nil, fmt.Errorf("dtype %s, want '<f4' (little-endian float32)", descr)
	}
	if order := npyField(header, "fortran_order"); order != "False" {
		return nil, fmt.Errorf("fortran_order %s, want False", order)
	}
	if shape := npyField(header, "shape"); !isStyleShape(shape) {
		return nil, fmt.Errorf("shape %s, want (510, 1, 256)", shape)
	}
	if len(data) != kokoroVoiceBytes {
		return nil, fmt.Errorf("%d data bytes, want %d", len(data), kokoroVoiceBytes)
	}
	return littleEndianFloats(data), nil
}

// npyHeader splits a .npy file into its header text and its data.
func npyHeader(b []byte) (header string, data []byte, err error) {
	if len(b) < 10 || !bytes.HasPrefix(b, []byte("\x93NUMPY")) {
		return "", nil, errors.New("not a .npy array (no \\x93NUMPY magic)")
	}
	start, n := 10, int(binary.LittleEndian.Uint16(b[8:10]))
	switch b[6] {
	case 1:
	case 2, 3:
		if len(b) < 12 {
			return "", nil, errors.New("truncated .npy header")
		}
		start, n = 12, int(min(binary.LittleEndian.Uint32(b[8:12]), npyMaxHeader+1))
	default:
		return "", nil, fmt.Errorf(".npy format version %d.%d", b[6], b[7])
	}
	if n > npyMaxHeader || start+n > len(b) {
		return "", nil, fmt.Errorf(".npy header of %d bytes does not fit the member", n)
	}
	return string(b[start : start+n]), b[start+n:], nil
}

// npyField returns the text of key's value in a .npy header dict
// ("{'descr': '<f4', 'fortran_order': False, 'shape': (510, 1, 256), }"),
// trimmed; "" when absent.
func npyField(header, key string) string {
	_, rest, ok := strings.Cut(header, "'"+key+"':")
	if !ok {
		return ""
	}
	rest = strings.TrimSpace(rest)
	end := strings.IndexAny(rest, ",}")
	if strings.HasPrefix(rest, "(") {
		end = strings.IndexByte(rest, ')') + 1
	}
	if end <= 0 {
		return ""
	}
	return strings.TrimSpace(rest[:end])
}

// isStyleShape accepts "(510, 1, 256)" and "(510, 256)".
func isStyleShape(shape string) bool {
	compact := strings.ReplaceAll(shape, " ", "")
	return compact == "(510,1,256)" || compact == "(510,256)"
}

// littleEndianFloats decodes little-endian float32s.
func littleEndianFloats(b []byte) []float32 {
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}
