package generate_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/apibuilder/apibuilder/generator/generate"
)

// toCRLF rewrites every file under dir with CRLF line endings, as git with
// core.autocrlf=true checks a project out on Windows.
func toCRLF(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(p, bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCRLFCheckoutGeneratesTheSame: a Windows checkout (CRLF line endings
// in routes.yaml, schemas, handlers and the committed generated files)
// passes `generate -check`, `generate` rewrites nothing, and generating
// from CRLF sources, in another directory, gives the very bytes of LF ones.
func TestCRLFCheckoutGeneratesTheSame(t *testing.T) {
	lf := project(t)
	res, err := run(t, lf, generate.Options{ModulesVersion: "v1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	want := res.Files
	if len(want) == 0 {
		t.Fatal("nothing generated")
	}

	// The committed project checked out with CRLF everywhere.
	toCRLF(t, lf)
	if _, err := run(t, lf, generate.Options{ModulesVersion: "v1.2.3", Check: true}); err != nil {
		t.Fatalf("generate -check on a CRLF checkout: %v", err)
	}
	res, err = run(t, lf, generate.Options{ModulesVersion: "v1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written)+len(res.Removed) != 0 {
		t.Errorf("generate on a CRLF checkout rewrote %v and removed %v", res.Written, res.Removed)
	}

	// CRLF sources only (nothing generated yet), another directory.
	crlf := project(t)
	toCRLF(t, crlf)
	res, err = run(t, crlf, generate.Options{ModulesVersion: "v1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != len(want) {
		t.Errorf("CRLF sources generate %d files, LF ones %d", len(res.Files), len(want))
	}
	for rel, data := range want {
		if !bytes.Equal(res.Files[rel], data) {
			t.Errorf("%s differs when the sources have CRLF line endings", rel)
		}
		if bytes.Contains(res.Files[rel], []byte("\r\n")) {
			t.Errorf("%s has CRLF line endings", rel)
		}
	}
}
