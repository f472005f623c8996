package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apibuilder/apibuilder/testkit"
)

// TestCheckThenWrite runs the command on a copy of the fixture module: -check
// fails with a diff and writes nothing, a plain run rewrites the README,
// and -check then passes.
func TestCheckThenWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "module")
	if err := testkit.CopyTree(filepath.Join("..", "..", "moduledocs", "testdata", "module"), dir, nil); err != nil {
		t.Fatal(err)
	}
	readme := filepath.Join(dir, "README.md")
	before, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}

	var out, errOut bytes.Buffer
	if code := run([]string{"-check", dir}, &out, &errOut); code != 1 {
		t.Fatalf("-check on a stale README: exit %d, want 1\n%s", code, errOut.String())
	}
	for _, want := range []string{readme + " is out of date", "run `go run ./devtools/cmd/moduledocs`", "-stale tables from an older run", "+## Inputs"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("-check output lacks %q:\n%s", want, errOut.String())
		}
	}
	if after, _ := os.ReadFile(readme); !bytes.Equal(after, before) {
		t.Fatal("-check wrote the README")
	}

	out.Reset()
	errOut.Reset()
	if code := run([]string{dir}, &out, &errOut); code != 0 {
		t.Fatalf("write: exit %d\n%s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "wrote "+readme) {
		t.Errorf("write did not say what it wrote: %q", out.String())
	}
	golden, err := os.ReadFile(filepath.Join("..", "..", "moduledocs", "testdata", "module.golden.md"))
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(readme); !bytes.Equal(after, golden) {
		t.Errorf("written README differs from the golden file")
	}

	errOut.Reset()
	if code := run([]string{"-check", dir}, &out, &errOut); code != 0 {
		t.Fatalf("-check after writing: exit %d\n%s", code, errOut.String())
	}
}

// TestMissingReadmeSaysWhatToDo: a module without a README is an error
// that names the file and the markers it needs.
func TestMissingReadmeSaysWhatToDo(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte("variable \"x\" {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"-check", dir}, &out, &errOut); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(errOut.String(), filepath.Join(dir, "README.md")) || !strings.Contains(errOut.String(), "BEGIN_TF_DOCS") {
		t.Errorf("error does not name the README and the markers: %s", errOut.String())
	}
}

// TestRepositoryModulesAreDocumented is what make lint checks, run from the
// repository root the way the Makefile runs it.
func TestRepositoryModulesAreDocumented(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	var out, errOut bytes.Buffer
	if code := run([]string{"-check"}, &out, &errOut); code != 0 {
		t.Fatalf("module READMEs are stale (run go run ./devtools/cmd/moduledocs):\n%s", errOut.String())
	}
}
