package config

import "errors"

// ErrUnknownKey indicates a key that parley does not know (often a typo).
var ErrUnknownKey = errors.New("unknown key")

// ErrWrongType indicates a value of the wrong TOML type for its key.
var ErrWrongType = errors.New("wrong type")

// ErrSyntax indicates a file that is not valid TOML.
var ErrSyntax = errors.New("invalid TOML")

// ErrInvalidValue indicates a value outside the allowed set or range.
var ErrInvalidValue = errors.New("invalid value")
