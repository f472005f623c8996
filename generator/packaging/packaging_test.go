package packaging

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apibuilder/apibuilder/internal/fsutil"
)

// fixture copies testdata/mod (three tiny handlers, two sharing a package)
// into a temp dir so tests can edit sources.
func fixture(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	if err := fsutil.CopyTree("testdata/mod", dst, nil); err != nil {
		t.Fatal(err)
	}
	return dst
}

var fns = []Function{{Name: "fa", SourceDir: "fa"}, {Name: "fb", SourceDir: "fb", Arch: "x86_64"}, {Name: "fc", SourceDir: "fc"}}

func build(t *testing.T, root, out string) []Artifact {
	t.Helper()
	arts, err := Build(context.Background(), fns, Options{ModuleRoot: root, OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	return arts
}

func cachedFlags(arts []Artifact) map[string]bool {
	m := map[string]bool{}
	for _, a := range arts {
		m[a.Name] = a.Cached
	}
	return m
}

func TestRebuildFromCleanCacheIsByteIdentical(t *testing.T) {
	root := fixture(t)
	first := build(t, root, filepath.Join(t.TempDir(), "a"))
	second := build(t, root, filepath.Join(t.TempDir(), "b")) // a clean output dir: no cache
	for i := range first {
		if second[i].Cached {
			t.Fatalf("%s was cached in a clean output dir", second[i].Name)
		}
		a, _ := os.ReadFile(first[i].ZipPath)
		b, _ := os.ReadFile(second[i].ZipPath)
		if !bytes.Equal(a, b) || first[i].SHA256 != second[i].SHA256 {
			t.Errorf("%s: zips differ between two clean builds", first[i].Name)
		}
	}
}

func TestOnlyChangedHandlersRebuild(t *testing.T) {
	root := fixture(t)
	out := t.TempDir()
	build(t, root, out)
	if c := cachedFlags(build(t, root, out)); !c["fa"] || !c["fb"] || !c["fc"] {
		t.Fatalf("nothing changed, yet a handler was rebuilt: %v", c)
	}
	// Touching one handler rebuilds only that handler.
	if err := os.WriteFile(filepath.Join(root, "fc", "main.go"), []byte("package main\n\nfunc main() { println(\"c2\") }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c := cachedFlags(build(t, root, out)); !c["fa"] || !c["fb"] || c["fc"] {
		t.Fatalf("after editing fc: cached = %v, want only fc rebuilt", c)
	}
	// A change to a shared package rebuilds exactly its importers.
	if err := os.WriteFile(filepath.Join(root, "shared", "shared.go"), []byte("package shared\n\nconst Greeting = \"hi\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c := cachedFlags(build(t, root, out)); c["fa"] || c["fb"] || !c["fc"] {
		t.Fatalf("after editing shared: cached = %v, want fa and fb rebuilt", c)
	}
}

func TestZipHoldsOnlyAnExecutableBootstrap(t *testing.T) {
	root := fixture(t)
	arts := build(t, root, t.TempDir())
	for _, a := range arts {
		r, err := zip.OpenReader(a.ZipPath)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.File) != 1 || r.File[0].Name != "bootstrap" || r.File[0].Mode().Perm() != 0o755 || !r.File[0].Modified.Equal(zipTime) {
			t.Errorf("%s: zip entries %v, want only bootstrap, mode 0755, fixed time", a.Name, r.File)
		}
		_ = r.Close()
	}
}

func TestBuildErrorsNameTheFunction(t *testing.T) {
	root := fixture(t)
	if err := os.WriteFile(filepath.Join(root, "fa", "main.go"), []byte("package main\n\nfunc main() { undefined() }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Build(context.Background(), fns[:1], Options{ModuleRoot: root, OutDir: t.TempDir()})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("function fa: go build ./fa failed")) || !bytes.Contains([]byte(err.Error()), []byte("undefined")) {
		t.Fatalf("want a build error naming fa with the compiler output, got %v", err)
	}
}

func TestPruneRemovesZipsOfRemovedRoutes(t *testing.T) {
	root := fixture(t)
	out := t.TempDir()
	build(t, root, out)
	removed, err := Prune(out, fns[:2])
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 2 || removed[0] != "fc.zip" || removed[1] != "fc.zip.inputs" {
		t.Fatalf("removed %v, want fc.zip and fc.zip.inputs", removed)
	}
	for _, f := range []string{"fa.zip", "fb.zip"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("%s was removed: %v", f, err)
		}
	}
}

func TestRoutesSharingAHandlerShareOneBuild(t *testing.T) {
	root := fixture(t)
	shared := []Function{{Name: "one", SourceDir: "fc"}, {Name: "two", SourceDir: "fc"}, {Name: "three", SourceDir: "./fc/"}}
	var log bytes.Buffer
	arts, err := Build(context.Background(), shared, Options{ModuleRoot: root, OutDir: t.TempDir(), Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(log.Bytes(), []byte(" built ")); n != 1 {
		t.Fatalf("%d builds for one handler, want 1:\n%s", n, log.String())
	}
	for _, a := range arts[1:] {
		if a.SHA256 != arts[0].SHA256 {
			t.Errorf("%s differs from %s", a.Name, arts[0].Name)
		}
	}
}
