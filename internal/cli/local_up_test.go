package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestUpRefusesZeroConcurrencyBeforeStartingAnything(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := runUp(context.Background(), []string{"-concurrency", "0"}, &out, &errOut); code != 2 {
		t.Fatalf("exit code %d, want 2 (stderr: %s)", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "-concurrency 0: give 1 or more processes per function") || out.Len() != 0 {
		t.Errorf("stdout %q, stderr %q", out.String(), errOut.String())
	}
}

func TestUpFlagsDocumentWatchAndConcurrency(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := runUp(context.Background(), []string{"-h"}, &out, &errOut); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	for _, flag := range []string{"-watch", "-concurrency", "-exit-after-smoke"} {
		if !strings.Contains(errOut.String(), flag) {
			t.Errorf("local up -h does not describe %s:\n%s", flag, errOut.String())
		}
	}
}
