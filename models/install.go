package models

import (
	"archive/tar"
	"compress/bzip2"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// InstallDir is where e lives under the models folder root.
func InstallDir(root string, e Entry) string {
	return filepath.Join(root, e.Dir)
}

// checkDownload compares a finished download with the catalog; a wrong one
// is deleted (resuming it could never succeed).
func checkDownload(f File, part string) error {
	if got := fileSize(part); got != f.Size {
		_ = os.Remove(part)
		return fmt.Errorf("%s: %w: %d bytes, want %d (the download was deleted; pull again)", f.Name, ErrSize, got, f.Size)
	}
	if err := checkSums(part, f.Name, f.SHA256, f.MD5); err != nil {
		_ = os.Remove(part)
		return fmt.Errorf("%w (the download was deleted; pull again)", err)
	}
	return nil
}

// installParts moves the checked downloads into a staging folder (unpacking
// archives) and then renames it into place.
func installParts(e Entry, root string, parts []string) error {
	stage, err := os.MkdirTemp(root, "."+e.Name+".staging-")
	if err != nil {
		return fmt.Errorf("staging folder: %w", err)
	}
	defer os.RemoveAll(stage)
	for i, f := range e.Files {
		if err := place(f, parts[i], stage); err != nil {
			return err
		}
	}
	if e.Dir == "" {
		return installFlat(e, stage, root)
	}
	return replaceDir(stage, InstallDir(root, e))
}

// place puts one checked download into stage.
func place(f File, part, stage string) error {
	if f.Archive == nil {
		if err := os.Rename(part, filepath.Join(stage, f.Name)); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		return nil
	}
	if err := unpack(part, f.Name, f.Archive, stage); err != nil {
		return err
	}
	_ = os.Remove(part)
	return nil
}

// installFlat renames each file of a folderless entry into root; each
// rename is atomic.
func installFlat(e Entry, stage, root string) error {
	for _, f := range e.Files {
		if err := os.Rename(filepath.Join(stage, f.Name), filepath.Join(root, f.Name)); err != nil {
			return fmt.Errorf("install %s: %w", f.Name, err)
		}
	}
	return nil
}

// replaceDir renames stage to target, moving an older install aside first
// and deleting it only once the new one is in place.
func replaceDir(stage, target string) error {
	if err := os.Chmod(stage, 0o755); err != nil {
		return fmt.Errorf("install %s: %w", target, err)
	}
	if _, err := os.Lstat(target); err != nil {
		if err := os.Rename(stage, target); err != nil {
			return fmt.Errorf("install %s: %w", target, err)
		}
		return nil
	}
	old := target + ".old-" + randomSuffix()
	if err := os.Rename(target, old); err != nil {
		return fmt.Errorf("move the old %s aside: %w", target, err)
	}
	if err := os.Rename(stage, target); err != nil {
		_ = os.Rename(old, target)
		return fmt.Errorf("install %s: %w", target, err)
	}
	return os.RemoveAll(old)
}

func randomSuffix() string {
	return rand.Text()[:8]
}

// unpack extracts the archive's members (and nothing else) into stage,
// checking each member's size and sha256 where the catalog knows them.
func unpack(archive, name string, a *Archive, stage string) error {
	in, err := os.Open(archive)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer in.Close()
	want := map[string]Member{}
	for _, m := range a.Members {
		want[a.Prefix+"/"+m.Name] = m
	}
	tr := tar.NewReader(bzip2.NewReader(in))
	for len(want) > 0 {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("unpack %s: %w", name, err)
		}
		m, ok := want[filepath.ToSlash(filepath.Clean(h.Name))]
		if !ok || h.Typeflag != tar.TypeReg {
			continue
		}
		delete(want, a.Prefix+"/"+m.Name)
		if err := extract(tr, m, stage); err != nil {
			return fmt.Errorf("unpack %s: %w", name, err)
		}
	}
	for _, m := range a.Members {
		if _, left := want[a.Prefix+"/"+m.Name]; left {
			return fmt.Errorf("unpack %s: %s/%s: %w from the archive", name, a.Prefix, m.Name, ErrMissing)
		}
	}
	return nil
}

// extract writes one member into stage and checks it.
func extract(r io.Reader, m Member, stage string) error {
	dst := filepath.Join(stage, filepath.FromSlash(m.Name))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("%s: %w", m.Name, err)
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("%s: %w", m.Name, err)
	}
	_, err = io.Copy(out, r)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", m.Name, err)
	}
	return checkMember(dst, m, "")
}
