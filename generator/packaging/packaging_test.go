package packaging

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apibuilder/apibuilder/testkit"
)

// fixture copies testdata/mod (three tiny handlers, two sharing a package)
// into a temp dir so tests can edit sources.
func fixture(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	if err := testkit.CopyTree("testdata/mod", dst, nil); err != nil {
		t.Fatal(err)
	}
	return dst
}

var fns = []Function{{Name: "fa", SourceDir: "fa"}, {Name: "fb", SourceDir: "fb", Arch: "x86_64"}, {Name: "fc", SourceDir: "fc"}}

func build(t *testing.T, root, out string) []Artifact {
	t.Helper()
	arts, _ := buildWith(t, root, out, fns)
	return arts
}

func buildWith(t *testing.T, root, out string, fns []Function) ([]Artifact, Summary) {
	t.Helper()
	arts, sum, err := Build(context.Background(), fns, Options{ModuleRoot: root, OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	return arts, sum
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
	_, _, err := Build(context.Background(), fns[:1], Options{ModuleRoot: root, OutDir: t.TempDir()})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("handler fa: go build ./fa failed")) || !bytes.Contains([]byte(err.Error()), []byte("undefined")) {
		t.Fatalf("want a build error naming fa with the compiler output, got %v", err)
	}
}

func TestArtifactsNoFunctionUsesArePruned(t *testing.T) {
	root := fixture(t)
	out := t.TempDir()
	arts := build(t, root, out)
	// An artifact of an older apibuilder (one zip per function) goes too.
	if err := os.WriteFile(filepath.Join(out, "fa.zip"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	buildWith(t, root, out, fns[:2])
	if _, err := os.Stat(arts[2].ZipPath); !os.IsNotExist(err) {
		t.Errorf("fc's artifact %s is still there (%v)", filepath.Base(arts[2].ZipPath), err)
	}
	for _, a := range arts[:2] {
		if _, err := os.Stat(a.ZipPath); err != nil {
			t.Errorf("%s's artifact was removed: %v", a.Name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "fa.zip")); !os.IsNotExist(err) {
		t.Error("the old per-function zip was not removed")
	}
	man, err := ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(man.Functions) != 2 || len(man.Artifacts) != 2 || man.Functions["fa"] != arts[0].Key {
		t.Errorf("manifest = %+v, want fa and fb only", man)
	}
}

func TestRoutesSharingAHandlerShareOneArtifact(t *testing.T) {
	root := fixture(t)
	out := t.TempDir()
	shared := []Function{{Name: "one", SourceDir: "fc"}, {Name: "two", SourceDir: "fc"}, {Name: "three", SourceDir: "./fc/"}}
	var log bytes.Buffer
	arts, sum, err := Build(context.Background(), shared, Options{ModuleRoot: root, OutDir: out, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Builds != 1 || sum.Artifacts != 1 || sum.Built != 3 {
		t.Fatalf("summary %+v, want 1 build, 1 artifact, 3 functions built:\n%s", sum, log.String())
	}
	for _, a := range arts[1:] {
		if a.Key != arts[0].Key || a.ZipPath != arts[0].ZipPath {
			t.Errorf("%s has its own artifact", a.Name)
		}
	}
	zips, _ := filepath.Glob(filepath.Join(out, "*.zip"))
	if len(zips) != 1 || filepath.Base(zips[0]) != arts[0].Key+".zip" {
		t.Errorf("zips in the output: %v, want one named by its content hash", zips)
	}
	if !bytes.Contains(log.Bytes(), []byte("functions: 3 built, 0 up to date (1 artifact,")) {
		t.Errorf("no summary line:\n%s", log.String())
	}

	// Renaming functions builds and changes nothing.
	renamed := []Function{{Name: "uno", SourceDir: "fc"}, {Name: "dos", SourceDir: "fc"}}
	arts2, sum, err := Build(context.Background(), renamed, Options{ModuleRoot: root, OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Builds != 0 || arts2[0].Key != arts[0].Key {
		t.Errorf("after renaming: %+v, key %s (was %s); want no build, same artifact", sum, arts2[0].Key, arts[0].Key)
	}
}

func TestWarmRunDecidesFromStats(t *testing.T) {
	root := fixture(t)
	out := t.TempDir()
	buildWith(t, root, out, fns)
	// Make every recorded file old enough not to be racy.
	old := time.Now().Add(-time.Hour)
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil {
			_ = os.Chtimes(p, old, old)
		}
		return nil
	})
	buildWith(t, root, out, fns) // records the new stats

	_, sum := buildWith(t, root, out, fns)
	if sum.Listed || sum.Builds != 0 || sum.UpToDate != 3 {
		t.Fatalf("nothing changed: %+v, want up to date without go list", sum)
	}
	// The same content with a new mtime: go list runs, nothing is built.
	now := time.Now()
	if err := os.Chtimes(filepath.Join(root, "shared", "shared.go"), now, now); err != nil {
		t.Fatal(err)
	}
	if _, sum = buildWith(t, root, out, fns); !sum.Listed || sum.Builds != 0 {
		t.Fatalf("after touching shared.go: %+v, want a go list and no build", sum)
	}
	// A new file in a package's directory is seen (its directory's mtime).
	if err := os.WriteFile(filepath.Join(root, "fc", "extra.go"), []byte("package main\n\nfunc init() { println(\"extra\") }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	arts, sum := buildWith(t, root, out, fns)
	if !sum.Listed || sum.Builds != 1 || arts[2].Cached {
		t.Fatalf("after adding fc/extra.go: %+v, want fc rebuilt", sum)
	}
}
