package models

import (
	"encoding/hex"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

func isHex(s string, n int) bool {
	_, err := hex.DecodeString(s)
	return err == nil && len(s) == n && s == strings.ToLower(s)
}

func TestCatalogSanity(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range Catalog() {
		t.Run(e.Name, func(t *testing.T) {
			if e.Name == "" || seen[e.Name] {
				t.Fatalf("name %q empty or not unique", e.Name)
			}
			seen[e.Name] = true
			if e.Kind != KindASR && e.Kind != KindVAD && e.Kind != KindTTS && e.Kind != KindTurn {
				t.Errorf("kind %q", e.Kind)
			}
			if e.Engine == "" {
				t.Errorf("no engine")
			}
			if e.Description == "" || len(e.Files) == 0 {
				t.Errorf("no description or no files")
			}
			if e.Dir != "" && !filepath.IsLocal(e.Dir) {
				t.Errorf("install dir %q is not a plain local name", e.Dir)
			}
			if e.Dir == "" && (len(e.Files) != 1 || e.Files[0].Archive != nil) {
				t.Errorf("only a single plain file may install without a folder")
			}
			checkFiles(t, e.Files)
		})
	}
}

func checkFiles(t *testing.T, files []File) {
	t.Helper()
	names := map[string]bool{}
	for _, f := range files {
		u, err := url.Parse(f.URL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			t.Errorf("%s: URL %q is not https", f.Name, f.URL)
		}
		if f.Size <= 0 || !filepath.IsLocal(f.Name) || names[f.Name] {
			t.Errorf("%s: size %d, or name not local or not unique", f.Name, f.Size)
		}
		names[f.Name] = true
		if f.SHA256 != "" && !isHex(f.SHA256, 64) {
			t.Errorf("%s: sha256 %q is not 64 lower-case hex digits", f.Name, f.SHA256)
		}
		if f.MD5 != "" && !isHex(f.MD5, 32) {
			t.Errorf("%s: md5 %q is not 32 lower-case hex digits", f.Name, f.MD5)
		}
		if f.Archive != nil {
			checkArchive(t, f)
		}
	}
}

func checkArchive(t *testing.T, f File) {
	t.Helper()
	if !strings.HasSuffix(f.Name, ".tar.bz2") || f.Archive.Prefix == "" || len(f.Archive.Members) == 0 {
		t.Errorf("%s: archive without .tar.bz2 name, prefix or members", f.Name)
	}
	for _, m := range f.Archive.Members {
		if !filepath.IsLocal(m.Name) || m.Size < 0 || (m.SHA256 != "" && !isHex(m.SHA256, 64)) {
			t.Errorf("%s: member %+v", f.Name, m)
		}
	}
}

func TestCatalogIsACopy(t *testing.T) {
	list := Catalog()
	list[0].Name = "changed"
	list[0].Files[0].Size = -1
	list[0].Files[0].Archive.Members[0].Name = "changed"
	e, ok := Lookup(Names()[0])
	if !ok || e.Name == "changed" || e.Files[0].Size == -1 || e.Files[0].Archive.Members[0].Name == "changed" {
		t.Fatalf("the catalog changed through a copy: %+v", e)
	}
	if _, ok := Lookup("no-such-model"); ok {
		t.Error("Lookup found a model that does not exist")
	}
}

func TestSileroInstallsWhereTheVADLooks(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	e, _ := Lookup("silero-vad-v5")
	got := filepath.Join(InstallDir(ModelsDir(), e), e.Files[0].Name)
	if got != SileroVADPath() {
		t.Errorf("silero installs at %s, VAD looks at %s", got, SileroVADPath())
	}
}

func TestChecksumStatusAndWarnings(t *testing.T) {
	sha := strings.Repeat("a", 64)
	cases := []struct {
		name  string
		files []File
		want  Checksum
		warns int
	}{
		{"sha256", []File{{Name: "a", SHA256: sha}}, ChecksumSHA256, 0},
		{"md5", []File{{Name: "a", SHA256: sha}, {Name: "b", MD5: "x"}}, ChecksumMD5, 1},
		{"size only", []File{{Name: "a", MD5: "x"}, {Name: "b"}}, ChecksumSizeOnly, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := Entry{Name: "m", Files: c.files}
			if got := e.Checksum(); got != c.want {
				t.Errorf("Checksum = %q, want %q", got, c.want)
			}
			w := e.Warnings()
			if len(w) != c.warns {
				t.Errorf("warnings %q, want %d", w, c.warns)
			}
			if c.want == ChecksumSizeOnly && !strings.Contains(w[len(w)-1], "no published checksum: size checked only") {
				t.Errorf("warning %q", w[len(w)-1])
			}
		})
	}
}
