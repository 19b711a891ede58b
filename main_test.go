package main

import (
	"bytes"
	"strings"
	"testing"

	"parley/cli"
)

func TestFlagErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
		code int
	}{
		{[]string{"--json"}, "--json needs --headless", 2},
		{[]string{"--headless", "stray"}, `unknown command "stray"`, 2},
		{[]string{"--nosuchflag"}, "nosuchflag", 2},
		{[]string{"doctor", "stray"}, "unexpected argument", 2},
		{[]string{"transcribe"}, "no FILE given", 2},
		{[]string{"bench", "--models", "foo"}, `--models "foo"`, 2},
		{[]string{"models", "--nosuchflag"}, "nosuchflag", 2},
		{[]string{"frobnicate"}, "unknown command", 2},
		{[]string{"--headless", "frobnicate"}, "unknown command", 2},
		{[]string{"--headless", "doctor"}, "flag provided but not defined: -headless", 2},
	}
	for _, tc := range cases {
		var stderr bytes.Buffer
		if code := run(tc.args, &bytes.Buffer{}, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("parley %v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr.String(), tc.code, tc.want)
		}
	}
	for _, args := range [][]string{{"--help"}, {"devices", "--help"}, {"doctor", "-h"}, {"transcribe", "--help"}, {"models", "--help"}, {"bench", "--help"},
		{"--config", "x.toml", "models", "--help"}} {
		if code := run(args, &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
	}
}

// TestCommandsAreListed: the help's list and the dispatch table name the
// same subcommands.
func TestCommandsAreListed(t *testing.T) {
	table := commands()
	var stderr bytes.Buffer
	run([]string{"--help"}, &bytes.Buffer{}, &stderr)
	for _, c := range cli.Commands() {
		if _, ok := table[c.Name]; !ok {
			t.Errorf("--help lists %q, which main does not run", c.Name)
		}
		if !strings.Contains(stderr.String(), "  "+c.Name+" ") {
			t.Errorf("--help lacks %q:\n%s", c.Name, stderr.String())
		}
	}
	if len(table) != len(cli.Commands())+1 { // "" is parley itself
		t.Errorf("main runs %d commands, --help lists %d", len(table)-1, len(cli.Commands()))
	}
}
