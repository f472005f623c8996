package cli

import (
	"strings"
	"testing"
)

func TestUpRefusesZeroConcurrencyBeforeStartingAnything(t *testing.T) {
	code, stdout, stderr := run("local", "up", "-concurrency", "0")
	if code != 2 || stdout != "" || !strings.Contains(stderr, "-concurrency 0: give 1 or more processes per function") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
