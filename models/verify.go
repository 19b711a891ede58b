package models

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Verify re-checks an installed model in dir (the model's own folder, e.g.
// InstallDir(ModelsDir(), e)): every file is there, with the catalog's size
// and checksum wherever the catalog knows them. A folder placed by hand
// passes as long as its files match. Every problem is reported, each naming
// the model and the file.
func Verify(dir string, e Entry) error {
	var errs []error
	for _, m := range e.installed() {
		path := filepath.Join(dir, filepath.FromSlash(m.Name))
		if err := checkMember(path, m, e.md5Of(m.Name)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.Name, err))
		}
	}
	return errors.Join(errs...)
}

// Installed returns the folder of the model called name under ModelsDir()
// when all of its files are there with the right sizes (a quick check; see
// Verify for checksums).
func Installed(name string) (string, bool) {
	e, ok := Lookup(name)
	if !ok {
		return "", false
	}
	dir := InstallDir(ModelsDir(), e)
	return dir, present(dir, e)
}

// present reports whether every file of e is in dir with a plausible size.
func present(dir string, e Entry) bool {
	for _, m := range e.installed() {
		st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(m.Name)))
		if err != nil || !st.Mode().IsRegular() || (m.Size > 0 && st.Size() != m.Size) {
			return false
		}
	}
	return true
}

// checkMember checks one installed file against what is known about it.
func checkMember(path string, m Member, md5sum string) error {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s: %w", path, ErrMissing)
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	if m.Size > 0 && st.Size() != m.Size {
		return fmt.Errorf("%s: %w: %d bytes, want %d", path, ErrSize, st.Size(), m.Size)
	}
	return checkSums(path, path, m.SHA256, md5sum)
}

// checkSums hashes path once and compares it with the wanted sums ("" is
// not checked); the error names the file and both values.
func checkSums(path, name, wantSHA, wantMD5 string) error {
	if wantSHA == "" && wantMD5 == "" {
		return nil
	}
	gotSHA, gotMD5, err := hashFile(path)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if wantSHA != "" && !strings.EqualFold(gotSHA, wantSHA) {
		return fmt.Errorf("%s: %w: sha256 %s, want %s", name, ErrChecksum, gotSHA, wantSHA)
	}
	if wantMD5 != "" && !strings.EqualFold(gotMD5, wantMD5) {
		return fmt.Errorf("%s: %w: md5 %s, want %s", name, ErrChecksum, gotMD5, wantMD5)
	}
	return nil
}

// hashFile returns the hex sha256 and md5 of a file, read once.
func hashFile(path string) (string, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	s, m := sha256.New(), md5.New()
	if _, err := io.Copy(io.MultiWriter(s, m), f); err != nil {
		return "", "", err
	}
	return hex.EncodeToString(s.Sum(nil)), hex.EncodeToString(m.Sum(nil)), nil
}

// InstalledFiles lists the files, relative to the model's folder, that make
// up an installed e.
func (e Entry) InstalledFiles() []string {
	var names []string
	for _, m := range e.installed() {
		names = append(names, m.Name)
	}
	return names
}

// Missing lists the files of e that are not in dir (a quick check: no
// sizes, no checksums).
func Missing(dir string, e Entry) []string {
	var out []string
	for _, name := range e.InstalledFiles() {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			out = append(out, name)
		}
	}
	return out
}
