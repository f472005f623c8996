package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCIRewritesOnlyGeneratedPipelineFiles: an init-ed project's pipeline
// is up to date; a hand edit under the marker is put back by ci and caught
// by ci -check; a workflow whose marker was removed is the team's and ci
// refuses it without writing anything.
func TestCIRewritesOnlyGeneratedPipelineFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shop")
	if code, stdout, stderr := runArgs("init", "-module", "example.com/shop", dir); code != 0 {
		t.Fatalf("init: exit %d\n%s%s", code, stdout, stderr)
	}
	cfg := filepath.Join(dir, "routes.yaml")
	wf := filepath.Join(dir, ".github", "workflows", "apibuilder.yml")
	if code, stdout, stderr := runArgs("ci", "-config", cfg, "-check"); code != 0 || !strings.Contains(stdout, "up to date .github/workflows/apibuilder.yml") {
		t.Fatalf("ci -check right after init: exit %d\n%s%s", code, stdout, stderr)
	}
	orig, err := os.ReadFile(wf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wf, append(orig, []byte("# a hand edit\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runArgs("ci", "-config", cfg, "-check"); code != 1 || !strings.Contains(stderr, "run apibuilder ci") {
		t.Errorf("ci -check after a hand edit: exit %d, %q; want 1 naming apibuilder ci", code, stderr)
	}
	if code, stdout, stderr := runArgs("ci", "-config", cfg); code != 0 || !strings.Contains(stdout, "wrote .github/workflows/apibuilder.yml") {
		t.Fatalf("ci: exit %d\n%s%s", code, stdout, stderr)
	}
	if got, _ := os.ReadFile(wf); string(got) != string(orig) {
		t.Errorf("ci did not put the generated workflow back")
	}
	_, rest, _ := strings.Cut(string(orig), "\n")
	mine := "# our own pipeline now\n" + rest
	if err := os.WriteFile(wf, []byte(mine), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runArgs("ci", "-config", cfg); code != 1 || !strings.Contains(stderr, "delete the file and run apibuilder ci") {
		t.Errorf("ci over a taken-over workflow: exit %d, %q; want 1 saying how to go back", code, stderr)
	}
	if got, _ := os.ReadFile(wf); string(got) != mine {
		t.Errorf("ci changed a workflow the team took over")
	}
}
