package models

import "errors"

// ErrUnknownModel indicates a name that is not in the catalog.
var ErrUnknownModel = errors.New("unknown model")

// ErrHTTP indicates a download the server refused (404, 500, ...).
var ErrHTTP = errors.New("download refused")

// ErrInterrupted indicates a download that ended early; its .part file is
// kept, and pulling again resumes it.
var ErrInterrupted = errors.New("download interrupted")

// ErrSize indicates a file whose size differs from the catalog's.
var ErrSize = errors.New("wrong size")

// ErrChecksum indicates a file whose sha256 or md5 differs from the catalog's.
var ErrChecksum = errors.New("checksum mismatch")

// ErrMissing indicates a file of a model that is not where it should be.
var ErrMissing = errors.New("missing")
