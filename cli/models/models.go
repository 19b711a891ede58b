// Package models is `parley models`: list the catalog, pull a model
// (resumable, checked, installed atomically) and verify installed ones.
package models

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"parley/cli"
	"parley/models"
)

const modelsUsage = `Usage: parley models list
       parley models pull NAME [--mirror URL]
       parley models verify [NAME]

list    every known model: kind, download size, installed or not, checksum
pull    download (resuming an interrupted download), check size and checksum,
        unpack, and install into %s
verify  re-check installed models (all, or NAME): files, sizes, checksums

Flags:
`

// Run runs `parley models list|pull NAME|verify [NAME]`.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("parley models", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mirror := fs.String("mirror", "", "download from this base `URL` instead of the publishers' hosts (same paths)")
	fs.String("config", "", "configuration `file`, accepted as by every command (models reads none)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), modelsUsage, models.ModelsDir())
		fs.PrintDefaults()
	}
	pos, err := cli.ParseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		fs.Usage()
		return cli.Usage(errors.New("models: missing subcommand (list, pull or verify)"))
	}
	return runModels(ctx, pos[0], pos[1:], models.Puller{BaseURL: *mirror}, stdout, stderr)
}

func runModels(ctx context.Context, sub string, rest []string, p models.Puller, stdout, stderr io.Writer) error {
	switch {
	case sub == "list" && len(rest) == 0:
		return listModels(stdout)
	case sub == "pull" && len(rest) == 1:
		return pullModel(ctx, rest[0], p, stdout, stderr)
	case sub == "verify" && len(rest) <= 1:
		return verifyModels(rest, stdout)
	case sub == "pull" && len(rest) == 0:
		return cli.Usage(fmt.Errorf("models pull: which model? known models: %s", strings.Join(models.Names(), ", ")))
	case sub == "list" || sub == "pull" || sub == "verify":
		return cli.Usage(fmt.Errorf("models %s: wrong arguments %q (see parley models --help)", sub, rest))
	}
	return cli.Usage(fmt.Errorf("models: unknown subcommand %q; want list, pull or verify", sub))
}

// lookupModel finds name in the catalog or says which names exist.
func lookupModel(name string) (models.Entry, error) {
	e, ok := models.Lookup(name)
	if !ok {
		return e, fmt.Errorf("%w %q; known models: %s", models.ErrUnknownModel, name, strings.Join(models.Names(), ", "))
	}
	return e, nil
}

func listModels(stdout io.Writer) error {
	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tSIZE\tINSTALLED\tCHECKSUM\tDESCRIPTION")
	for _, e := range models.Catalog() {
		installed := "no"
		if _, ok := models.Installed(e.Name); ok {
			installed = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Name, e.Kind, megabytes(e.Size()), installed, e.Checksum(), e.Description)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("models list: %w", err)
	}
	fmt.Fprintf(stdout, "\nModels folder: %s\n", models.ModelsDir())
	return nil
}

// megabytes formats a byte count as decimal megabytes.
func megabytes(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

func pullModel(ctx context.Context, name string, p models.Puller, stdout, stderr io.Writer) error {
	e, err := lookupModel(name)
	if err != nil {
		return err
	}
	dir := models.InstallDir(models.ModelsDir(), e)
	if _, ok := models.Installed(name); ok && models.Verify(dir, e) == nil {
		fmt.Fprintf(stdout, "%s is already installed in %s (verified)\n", name, dir)
		return nil
	}
	for _, w := range e.Warnings() {
		fmt.Fprintf(stderr, "parley: warning: %s: %s\n", name, w)
	}
	bar := cli.NewProgress(stderr, name, cli.ProgressOptions{Unit: megabytes})
	err = p.Pull(ctx, e, models.ModelsDir(), bar.Update)
	bar.Done()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "installed %s in %s\n", name, dir)
	return nil
}

// verifyModels re-checks one model, or every model with files on disk.
func verifyModels(names []string, stdout io.Writer) error {
	entries := models.Catalog()
	if len(names) == 1 {
		e, err := lookupModel(names[0])
		if err != nil {
			return err
		}
		if !anyFilePresent(e) {
			return fmt.Errorf("%s is not installed in %s (run parley models pull %s)",
				e.Name, models.InstallDir(models.ModelsDir(), e), e.Name)
		}
		entries = []models.Entry{e}
	}
	var errs []error
	for _, e := range entries {
		errs = append(errs, verifyOne(e, stdout))
	}
	return errors.Join(errs...)
}

func verifyOne(e models.Entry, stdout io.Writer) error {
	dir := models.InstallDir(models.ModelsDir(), e)
	if !anyFilePresent(e) {
		fmt.Fprintf(stdout, "%s: not installed\n", e.Name)
		return nil
	}
	if err := models.Verify(dir, e); err != nil {
		fmt.Fprintf(stdout, "%s: FAILED\n", e.Name)
		return err
	}
	fmt.Fprintf(stdout, "%s: ok (%s, %s)\n", e.Name, dir, e.Checksum())
	return nil
}

// anyFilePresent reports whether any file of e is in its install folder
// (a model is "installed, possibly broken" as soon as one file is there).
func anyFilePresent(e models.Entry) bool {
	dir := models.InstallDir(models.ModelsDir(), e)
	return len(models.Missing(dir, e)) < len(e.InstalledFiles())
}
