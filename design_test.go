package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// allowedImports is DESIGN.md's "may import" table for parley's own
// packages: a package (or any package below it) may import only these
// parley packages. Imports outside the module are not restricted here.
var allowedImports = []struct {
	pkg     string
	imports []string
}{
	{"parley/config", nil},
	{"parley/gpu", nil},
	{"parley/audio/echo", []string{"parley/audio", "parley/audio/internal/"}},
	{"parley/audio", []string{"parley/gpu"}},
	{"parley/pipeline/asr", []string{"parley/gpu"}},
	{"parley/pipeline/tts", []string{"parley/gpu"}},
	{"parley/pipeline/llm", nil},
	{"parley/pipeline", []string{"parley/audio", "parley/gpu", "parley/pipeline/"}},
	{"parley/models", nil},
	{"parley/bench", []string{"parley/gpu", "parley/audio", "parley/pipeline/asr", "parley/pipeline/tts", "parley/models"}},
	{"parley/ui", []string{"parley/pipeline", "parley/gpu", "parley/ui/"}},
	{"parley/app", []string{"parley/config", "parley/gpu", "parley/audio", "parley/audio/echo", "parley/pipeline", "parley/pipeline/", "parley/models"}},
	{"parley/cli", []string{"parley/"}},
	{"parley/internal/stats", nil},
	{"parley/internal/ctxtime", nil},
	{"parley/internal/xdg", nil},
	{"parley/internal/", []string{"parley/models", "parley/config"}},
}

// leaves are packages that import no parley package; any package may
// import them.
var leaves = []string{"parley/internal/stats", "parley/internal/ctxtime", "parley/internal/xdg"}

// violations returns "from -> to" for every parley import the table forbids.
func violations(imports map[string][]string) []string {
	var bad []string
	for from, tos := range imports {
		rule, ok := ruleFor(from)
		if !ok {
			continue // main and test-only packages may import anything
		}
		for _, to := range tos {
			if isParley(to) && !permitted(from, to, rule) {
				bad = append(bad, from+" -> "+to)
			}
		}
	}
	return bad
}

func ruleFor(pkg string) ([]string, bool) {
	for _, r := range allowedImports {
		if pkg == r.pkg || strings.HasPrefix(pkg, strings.TrimSuffix(r.pkg, "/")+"/") {
			return r.imports, true
		}
	}
	return nil, false
}

func isParley(path string) bool {
	return path == "parley" || strings.HasPrefix(path, "parley/")
}

func permitted(from, to string, rule []string) bool {
	if strings.HasPrefix(to, from+"/") || slices.Contains(leaves, to) {
		return true // a package's own sub-packages, or a leaf
	}
	for _, allowed := range rule {
		if to == allowed || (strings.HasSuffix(allowed, "/") && strings.HasPrefix(to, allowed)) {
			return true
		}
	}
	return false
}

// TestImportRules reads the real import graph with `go list -json ./...`.
func TestImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	graph := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		graph[p.ImportPath] = p.Imports
	}
	if len(graph) < 8 {
		t.Fatalf("go list found only %d packages", len(graph))
	}
	for _, v := range violations(graph) {
		t.Errorf("forbidden import (see DESIGN.md): %s", v)
	}
}

// TestImportRulesCatchForbiddenArrows proves the check fails where it must.
func TestImportRulesCatchForbiddenArrows(t *testing.T) {
	cases := map[string]bool{
		"parley/gpu -> parley/pipeline":             true,
		"parley/audio -> parley/ui":                 true,
		"parley/pipeline -> parley/ui/keymap":       true,
		"parley/pipeline/asr -> parley/audio":       true,
		"parley/pipeline/llm -> parley/gpu":         true,
		"parley/config -> parley/gpu":               true,
		"parley/audio -> parley/gpu":                false,
		"parley/ui/gpupane -> parley/gpu":           false,
		"parley/ui -> parley/ui/keymap":             false,
		"parley/pipeline -> parley/pipeline/asr":    false,
		"parley/ui/devices -> parley/ui/common":     false,
		"parley -> parley/ui":                       false,
		"parley/pipeline/tts -> parley/gpu":         false,
		"parley/pipeline/asr -> parley/pipeline/x":  true,
		"parley/app -> parley/ui":                   true,
		"parley/app -> parley/cli":                  true,
		"parley/app -> parley/bench":                true,
		"parley/app -> parley/pipeline/llm":         false,
		"parley/pipeline -> parley/app":             true,
		"parley/bench -> parley/app":                true,
		"parley/ui -> parley/app":                   true,
		"parley/cli/doctor -> parley/app":           false,
		"parley/cli/assistant -> parley/ui":         false,
		"parley/cli/bench -> parley/bench":          false,
		"parley/ui/stages -> parley/internal/stats": false,
		"parley/gpu -> parley/internal/stats":       false,
		"parley/internal/stats -> parley/gpu":       true,
	}
	for arrow, forbidden := range cases {
		from, to, _ := strings.Cut(arrow, " -> ")
		got := len(violations(map[string][]string{from: {to}})) > 0
		if got != forbidden {
			t.Errorf("%s: forbidden = %v, want %v", arrow, got, forbidden)
		}
	}
}
