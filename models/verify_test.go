package models

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tinyModel is what testdata/tiny.tar.bz2 holds in tiny-model/ (besides
// test_wavs/x.wav, which is not kept).
var tinyModel = []byte(strings.Repeat("not a real onnx model, only test bytes\n", 200))

func archiveEntry(t *testing.T) (Entry, []byte) {
	t.Helper()
	archive, err := os.ReadFile(filepath.Join("testdata", "tiny.tar.bz2"))
	if err != nil {
		t.Fatal(err)
	}
	return Entry{Name: "tiny", Kind: KindASR, Dir: "tiny", Description: "test", Files: []File{{
		URL: "https://publisher.invalid/rel/tiny.tar.bz2", Name: "tiny.tar.bz2",
		Size: int64(len(archive)), SHA256: sha(archive),
		Archive: &Archive{Prefix: "tiny-model", Members: []Member{
			{Name: "model.onnx", Size: int64(len(tinyModel)), SHA256: sha(tinyModel)},
			{Name: "tokens.txt"},
		}},
	}}}, archive
}

func servePuller(t *testing.T, files map[string][]byte) Puller {
	t.Helper()
	srv := httptest.NewServer(&fakePublisher{files: files})
	t.Cleanup(srv.Close)
	return Puller{Client: srv.Client(), BaseURL: srv.URL}
}

func TestPullUnpacksAnArchive(t *testing.T) {
	e, archive := archiveEntry(t)
	p := servePuller(t, map[string][]byte{"/rel/tiny.tar.bz2": archive})
	root := t.TempDir()
	if err := p.Pull(context.Background(), e, root, nil); err != nil {
		t.Fatal(err)
	}
	dir := InstallDir(root, e)
	if err := Verify(dir, e); err != nil {
		t.Fatal(err)
	}
	if tokens, _ := os.ReadFile(filepath.Join(dir, "tokens.txt")); string(tokens) != "a 1\nb 2\n" {
		t.Errorf("tokens.txt = %q", tokens)
	}
	if _, err := os.Stat(filepath.Join(dir, "test_wavs")); !os.IsNotExist(err) {
		t.Errorf("a member not in the catalog was unpacked: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, ".downloads", "tiny")); !os.IsNotExist(err) {
		t.Errorf("the archive download was kept after unpacking: %v", err)
	}
}

func TestPullRefusesAnArchiveWithoutAMember(t *testing.T) {
	e, archive := archiveEntry(t)
	e.Files[0].Archive.Members = append(e.Files[0].Archive.Members, Member{Name: "model.int8.onnx"})
	p := servePuller(t, map[string][]byte{"/rel/tiny.tar.bz2": archive})
	root := t.TempDir()
	err := p.Pull(context.Background(), e, root, nil)
	if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "tiny-model/model.int8.onnx") {
		t.Fatalf("err = %v, want ErrMissing naming the member", err)
	}
	assertOnly(t, root)
}

func TestPullFlatEntryInstallsInTheRoot(t *testing.T) {
	e := Entry{Name: "vad", Kind: KindVAD, Description: "test", Files: []File{
		{URL: "https://publisher.invalid/v.onnx", Name: "v.onnx", Size: int64(len(beta)), SHA256: sha(beta)},
	}}
	p := servePuller(t, map[string][]byte{"/v.onnx": beta})
	root := t.TempDir()
	if err := p.Pull(context.Background(), e, root, nil); err != nil {
		t.Fatal(err)
	}
	if err := Verify(InstallDir(root, e), e); err != nil {
		t.Fatal(err)
	}
	assertOnly(t, root, "v.onnx")
}

func TestVerifyAcceptsAHandPlacedFolder(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	e, _ := Lookup("piper-en_US-lessac-medium")
	e.Files[0].Size, e.Files[0].MD5 = int64(len(alpha)), md5hex(alpha)
	e.Files[1].Size, e.Files[1].MD5 = int64(len(beta)), md5hex(beta)
	dir := InstallDir(ModelsDir(), e)
	writeFiles(t, dir, map[string][]byte{e.Files[0].Name: alpha, e.Files[1].Name: beta})
	if err := Verify(dir, e); err != nil {
		t.Fatalf("Verify of a correct hand-placed folder: %v", err)
	}
	if got, ok := Installed("kokoro-v1.0"); ok {
		t.Errorf("Installed(kokoro-v1.0) = %s, true in an empty cache", got)
	}
	writeFiles(t, filepath.Join(ModelsDir(), "kokoro-v1.0"), map[string][]byte{"kokoro-v1.0.onnx": alpha})
	if _, ok := Installed("kokoro-v1.0"); ok {
		t.Error("Installed accepted a folder with a missing file and a wrong size")
	}
}

func TestVerifyReportsEveryProblem(t *testing.T) {
	e := testEntry()
	e.Files = append(e.Files, File{Name: "gamma.bin", Size: 3})
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{"alpha.bin": alpha[:10], "beta.json": []byte(`{"voice": "BETA"}`)})
	err := Verify(dir, e)
	for _, want := range []error{ErrSize, ErrChecksum, ErrMissing} {
		if !errors.Is(err, want) {
			t.Errorf("Verify error %v lacks %v", err, want)
		}
	}
	for _, want := range []string{"test-model: " + filepath.Join(dir, "alpha.bin"), "beta.json: checksum mismatch: md5", "gamma.bin"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Verify error %v does not say %q", err, want)
		}
	}
}

func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
