package tts

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// RunChildTest is runChildTest for the external test package.
var RunChildTest = runChildTest

// runChildTest reruns test in a child process with env=1 set (so the test
// takes its child branch, with fresh library state) and returns what the
// child wrote; a failing child fails t.
func runChildTest(t *testing.T, test, env string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env+"=1")
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("child %s: %v\nstdout:\n%s\nstderr:\n%s", test, err, out.String(), errOut.String())
	}
	return out.String(), errOut.String()
}
