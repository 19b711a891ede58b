package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestFlagErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
		code int
	}{
		{[]string{"--json"}, "--json needs --headless", 2},
		{[]string{"--headless", "stray"}, "unexpected argument", 2},
		{[]string{"--nosuchflag"}, "nosuchflag", 2},
		{[]string{"doctor", "stray"}, "unexpected argument", 2},
		{[]string{"transcribe"}, "no FILE given", 2},
		{[]string{"bench", "--models", "foo"}, `--models "foo"`, 2},
		{[]string{"models", "--nosuchflag"}, "nosuchflag", 2},
		{[]string{"frobnicate"}, "unknown command", 1},
	}
	for _, tc := range cases {
		var stderr bytes.Buffer
		if code := run(tc.args, &bytes.Buffer{}, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("parley %v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr.String(), tc.code, tc.want)
		}
	}
	for _, args := range [][]string{{"--help"}, {"devices", "--help"}, {"doctor", "-h"}, {"transcribe", "--help"}, {"models", "--help"}, {"bench", "--help"}} {
		if code := run(args, &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
	}
}
