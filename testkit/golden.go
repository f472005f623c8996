package testkit

import (
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// update is the one -update flag of every test binary that imports testkit:
// go test ./pkg -run TestX -update rewrites the goldens TestX compares
// with. A test package must not define its own (the flag would be defined
// twice).
var update = flag.Bool("update", false, "rewrite the golden files with what the tests produce now")

// Updating reports whether the tests run with -update.
func Updating() bool { return *update }

// Golden compares got with the file at path and reports a difference as
// cmp.Diff (-want +got). With -update it first writes got to path.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%v (%s)", err, rerun(t))
		return
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs from the golden (-want +got); %s:\n%s", path, rerun(t), d)
	}
}

// GoldenDir compares got (slash-separated paths relative to dir -> content)
// with the files under dir: the same set of files, each with the same
// bytes. With -update it first replaces dir with exactly got.
func GoldenDir(t testing.TB, dir string, got map[string][]byte) {
	t.Helper()
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		for rel, data := range got {
			p := filepath.Join(dir, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var want, have []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			want = append(want, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Errorf("%v (%s)", err, rerun(t))
	}
	for rel := range got {
		have = append(have, rel)
	}
	sort.Strings(want)
	sort.Strings(have)
	if d := cmp.Diff(want, have); d != "" {
		t.Errorf("the files under %s differ from the ones made (-want +got); %s:\n%s", dir, rerun(t), d)
	}
	for _, rel := range have {
		if _, ok := got[rel]; ok && contains(want, rel) {
			Golden(t, filepath.Join(dir, filepath.FromSlash(rel)), got[rel])
		}
	}
}

func contains(sorted []string, s string) bool {
	i := sort.SearchStrings(sorted, s)
	return i < len(sorted) && sorted[i] == s
}

// rerun says how to accept the new output.
func rerun(t testing.TB) string {
	return "if the change is meant, run go test -run '" + t.Name() + "' -update and review the diff"
}
