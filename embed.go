package main

import _ "embed"

// defaultConfig is config.toml: the documented defaults that every user
// file is applied over.
//
//go:embed config.toml
var defaultConfig []byte
