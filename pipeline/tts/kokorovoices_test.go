package tts_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"parley/pipeline/tts"
)

const (
	kokoroDir    = "testdata/kokoro/"
	kokoroModel  = kokoroDir + "kokoro-test.onnx"
	kokoroNewer  = kokoroDir + "kokoro-test-new.onnx"
	kokoroNPZ    = kokoroDir + "voices-test.bin"
	kokoroRaw    = kokoroDir + "voices-test-raw.bin"
	rowsPerVoice = 510
	styleWidth   = 256
)

// wantStyleRow is row r of test voice k (0 af_heart, 1 bf_emma), as
// scripts/models/export_kokoro_model.py makes them: column 0 is
// r/1024 + k/8192, column c >= 1 is k/8192 + c/2^21.
func wantStyleRow(k, r int) []float32 {
	row := make([]float32, styleWidth)
	for c := range row {
		row[c] = float32(float64(k)/8192 + float64(c)/(1<<21))
	}
	row[0] = float32(float64(r)/1024 + float64(k)/8192)
	return row
}

func TestKokoroVoicesBothFormats(t *testing.T) {
	npz, err := tts.OpenKokoroVoices(kokoroNPZ, nil)
	if err != nil || npz.Format != tts.VoicesNPZ || !slices.Equal(npz.Names, []string{"af_heart", "bf_emma"}) {
		t.Fatalf("npz: %+v, %v", npz, err)
	}
	raw, err := tts.OpenKokoroVoices(kokoroRaw, []string{"af_heart", "bf_emma"})
	if err != nil || raw.Format != tts.VoicesRaw {
		t.Fatalf("raw: %+v, %v", raw, err)
	}
	for k, name := range npz.Names {
		a, errA := npz.Style(name)
		b, errB := raw.Style(name)
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		for _, r := range []int{0, 1, 37, 509} {
			want := wantStyleRow(k, r)
			if !slices.Equal(a.Row(r), want) || !slices.Equal(b.Row(r), want) {
				t.Errorf("%s row %d: npz %v…, raw %v…, want %v…", name, r, a.Row(r)[:2], b.Row(r)[:2], want[:2])
			}
		}
	}
}

func TestKokoroVoicesRawNames(t *testing.T) {
	v, err := tts.OpenKokoroVoices(kokoroRaw, nil)
	if err != nil || !slices.Equal(v.Names, []string{"0", "1"}) {
		t.Fatalf("unnamed raw voices: %+v, %v", v, err)
	}
	s, err := v.Style("1")
	if err != nil || !slices.Equal(s.Row(3), wantStyleRow(1, 3)) {
		t.Errorf("voice 1 row 3: %v", err)
	}
	_, err = tts.OpenKokoroVoices(kokoroRaw, []string{"a", "b", "c"})
	if !errors.Is(err, tts.ErrVoicesFile) || !strings.Contains(err.Error(), "holds 2 raw voices but the model names 3") {
		t.Errorf("3 names for 2 voices: %v", err)
	}
}

func TestKokoroVoicesUnknown(t *testing.T) {
	v, err := tts.OpenKokoroVoices(kokoroNPZ, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Style("zz_nobody")
	if !errors.Is(err, tts.ErrUnknownVoice) || !strings.Contains(err.Error(), "af_heart, bf_emma") {
		t.Errorf("unknown voice: %v", err)
	}
}

// npy returns a .npy file (format 1.0) with the given header fields and data.
func npy(descr, order, shape string, data []byte) []byte {
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr, order, shape)
	header += strings.Repeat(" ", 63-(10+len(header))%64) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	_ = binary.Write(&b, binary.LittleEndian, uint16(len(header)))
	b.WriteString(header)
	b.Write(data)
	return b.Bytes()
}

// floats returns n little-endian float32s of value v.
func floats(n int, v float32) []byte {
	b := make([]byte, 4*n)
	for i := range n {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

// writeNPZ writes members into a zip (stored, as np.savez does) at dir/name.
func writeNPZ(t *testing.T, dir, name string, members map[string][]byte) string {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, m := range slices.Sorted(maps.Keys(members)) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(members[m])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, name, b.Bytes())
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestKokoroVoicesStoredNPZ(t *testing.T) {
	n := rowsPerVoice * styleWidth
	p := writeNPZ(t, t.TempDir(), "v.bin", map[string][]byte{
		"am_a.npy": npy("<f4", "False", "(510, 1, 256)", floats(n, 0.25)),
		"am_b.npy": npy("<f4", "False", "(510, 256)", floats(n, -0.5)),
	})
	v, err := tts.OpenKokoroVoices(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, errA := v.Style("am_a")
	b, errB := v.Style("am_b")
	if errA != nil || errB != nil || a.Row(509)[255] != 0.25 || b.Row(0)[0] != -0.5 {
		t.Errorf("stored npz: %v, %v", errA, errB)
	}
}

// TestKokoroVoicesHostile checks that broken or hostile files are refused
// with ErrVoicesFile and the file named, and nothing panics.
func TestKokoroVoicesHostile(t *testing.T) {
	dir := t.TempDir()
	n := rowsPerVoice * styleWidth
	good := floats(n, 0.1)
	nan := floats(n, 0.1)
	binary.LittleEndian.PutUint32(nan[4*77:], math.Float32bits(float32(math.NaN())))
	bigHeader := []byte("\x93NUMPY\x02\x00\xff\xff\xff\x7f{'descr'")
	cases := []struct {
		name, file, want string
		style            bool // the problem shows when a voice is read
	}{
		{"empty", writeFile(t, dir, "empty.bin", nil), "0 bytes", false},
		{"short raw", writeFile(t, dir, "short.bin", floats(1000, 0)), "4000 bytes", false},
		{"raw plus a byte", writeFile(t, dir, "odd.bin", append(floats(n, 0), 0)), "522241 bytes", false},
		{"broken zip", writeFile(t, dir, "broken.bin", []byte("PK\x03\x04garbage")), "not a readable .npz", false},
		{"not npy member", writeNPZ(t, dir, "member.bin", map[string][]byte{"readme.txt": []byte("hi")}), `member "readme.txt"`, false},
		{"float64", writeNPZ(t, dir, "f8.bin", map[string][]byte{"a.npy": npy("<f8", "False", "(510, 1, 256)", good)}), "dtype '<f8'", true},
		{"big endian", writeNPZ(t, dir, "be.bin", map[string][]byte{"a.npy": npy(">f4", "False", "(510, 1, 256)", good)}), "dtype '>f4'", true},
		{"fortran", writeNPZ(t, dir, "fo.bin", map[string][]byte{"a.npy": npy("<f4", "True", "(510, 1, 256)", good)}), "fortran_order True", true},
		{"wrong shape", writeNPZ(t, dir, "sh.bin", map[string][]byte{"a.npy": npy("<f4", "False", "(511, 1, 256)", good)}), "shape (511, 1, 256)", true},
		{"huge shape", writeNPZ(t, dir, "hs.bin", map[string][]byte{"a.npy": npy("<f4", "False", "(999999999999, 1, 256)", good)}), "shape (999999999999", true},
		{"truncated data", writeNPZ(t, dir, "tr.bin", map[string][]byte{"a.npy": npy("<f4", "False", "(510, 1, 256)", good[:1000])}), "1000 data bytes", true},
		{"extra data", writeNPZ(t, dir, "ex.bin", map[string][]byte{"a.npy": npy("<f4", "False", "(510, 1, 256)", append(good, 1, 2, 3, 4))}), "522244 data bytes", true},
		{"no magic", writeNPZ(t, dir, "nm.bin", map[string][]byte{"a.npy": good}), "no \\x93NUMPY magic", true},
		{"header past the end", writeNPZ(t, dir, "hp.bin", map[string][]byte{"a.npy": bigHeader}), "does not fit", true},
		{"NaN value", writeNPZ(t, dir, "nan.bin", map[string][]byte{"a.npy": npy("<f4", "False", "(510, 1, 256)", nan)}), "value 77 is NaN", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := tts.OpenKokoroVoices(c.file, nil)
			if c.style {
				if err != nil {
					t.Fatalf("index: %v", err)
				}
				_, err = v.Style("a")
			}
			if !errors.Is(err, tts.ErrVoicesFile) || !strings.Contains(err.Error(), c.file) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want ErrVoicesFile naming %s and %q", err, c.file, c.want)
			}
		})
	}
	if _, err := tts.OpenKokoroVoices(filepath.Join(dir, "none.bin"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
