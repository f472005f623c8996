package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apibuilder/apibuilder/generator/internal/diag"
	"github.com/apibuilder/apibuilder/testkit"
)

const (
	baseDir   = "testdata/base"   // handlers and schemas every case can point at
	casesDir  = "testdata/errors" // one folder per bad input
	stderrTxt = "stderr.txt"
)

// TestErrorCases loads each testdata/errors/<case>/routes.yaml and compares
// every diagnostic line, as the generator prints them, with the case's
// stderr.txt. Each case runs in a temporary copy of testdata/base with the
// case's own files laid over it, so a case may add or replace handlers and
// schemas, and cases run in parallel without touching the source tree.
// A new case is just a folder: write routes.yaml, run
// go test -run TestErrorCases/<case> -update, and read the stderr.txt it wrote.
func TestErrorCases(t *testing.T) {
	entries, err := os.ReadDir(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			caseDir := filepath.Join(casesDir, name)
			dir := filepath.Join(t.TempDir(), "project")
			if err := testkit.CopyTree(baseDir, dir, nil); err != nil {
				t.Fatal(err)
			}
			if err := testkit.CopyTree(caseDir, dir, func(rel string, _ os.DirEntry) bool { return rel == stderrTxt }); err != nil {
				t.Fatal(err)
			}
			got := stderrOf(t, dir)
			if got == "" {
				t.Fatalf("%s/routes.yaml loads without an error; a case here must fail", caseDir)
			}
			testkit.Golden(t, filepath.Join(caseDir, stderrTxt), []byte(got))
		})
	}
}

// stderrOf loads dir/routes.yaml and returns the diagnostics the way the
// generator prints them to stderr, one per line, with the file named as the
// user would pass it from the project directory (routes.yaml) and the
// project's absolute path, where a message names it, as <project>.
func stderrOf(t *testing.T, dir string) string {
	t.Helper()
	_, err := Load(filepath.Join(dir, "routes.yaml"))
	if err == nil {
		return ""
	}
	var de *diag.Error
	if !errors.As(err, &de) {
		t.Fatalf("want positioned diagnostics, got %v", err)
	}
	var b strings.Builder
	for _, d := range de.Items {
		rel, err := filepath.Rel(dir, d.File)
		if err != nil {
			t.Fatal(err)
		}
		d.File = filepath.ToSlash(rel)
		b.WriteString(d.Error())
		b.WriteByte('\n')
	}
	out := b.String()
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		out = strings.ReplaceAll(out, real, "<project>")
	}
	return strings.ReplaceAll(out, dir, "<project>")
}
