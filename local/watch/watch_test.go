package watch

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// next waits for the next batch; the bound only keeps a broken watch from
// hanging the test.
func next(t *testing.T, w *Watcher) Batch {
	t.Helper()
	select {
	case b := <-w.Batches():
		return b
	case err := <-w.Errors():
		t.Fatalf("watch error: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("no batch of changes arrived")
	}
	return Batch{}
}

func write(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBatchesLeaveOutBuildOutputAndEditorFiles(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"functions/a", "build/functions", "envs/dev", ".terraform", ".git", "lib/envs"} {
		write(t, root, d+"/keep", "")
	}
	w, err := New(root, Options{SkipDirs: []string{"envs"}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	// What builds, Terraform, git and editors write comes first; then a
	// real edit. The batch that carries the edit holds nothing else.
	for _, rel := range []string{
		"build/functions/x.zip", "envs/dev/main.tf", ".terraform/lock", ".git/index",
		"functions/a/.main.go.swp", "functions/a/main.go~", "functions/a/4913", "functions/a/#main.go#",
		"functions/a/main.go.tmp-123", "functions/a/main.go___jb_tmp___",
	} {
		write(t, root, rel, "x")
	}
	write(t, root, "functions/a/main.go", "package main")
	write(t, root, "lib/envs/envs.go", "package envs") // only the top-level envs/ is the generator's
	var got []string
	for !slices.Contains(got, "functions/a/main.go") || !slices.Contains(got, "lib/envs/envs.go") {
		got = append(got, next(t, w).Paths...)
	}
	for _, p := range got {
		if p != "functions/a/main.go" && p != "lib/envs/envs.go" {
			t.Errorf("batch carries %s, which the watch should leave out (all: %v)", p, got)
		}
	}
}

func TestNewDirectoriesAreWatchedAndTheirFilesReported(t *testing.T) {
	root := t.TempDir()
	w, err := New(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	write(t, root, "pkg/sub/a.go", "package sub")
	var got []string
	for !slices.Contains(got, "pkg/sub/a.go") {
		got = append(got, next(t, w).Paths...)
	}
	// The new directory is watched: a later edit inside it shows.
	write(t, root, "pkg/sub/b.go", "package sub")
	for !slices.Contains(got, "pkg/sub/b.go") {
		got = append(got, next(t, w).Paths...)
	}
	// A removed file is a change too.
	if err := os.Remove(filepath.Join(root, "pkg/sub/a.go")); err != nil {
		t.Fatal(err)
	}
	if b := next(t, w); !slices.Contains(b.Paths, "pkg/sub/a.go") {
		t.Errorf("removal reported as %v", b.Paths)
	}
}

func TestBatchListsEachPathOnceSorted(t *testing.T) {
	root := t.TempDir()
	w, err := New(root, Options{Quiet: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for i := 0; i < 5; i++ {
		write(t, root, "b.go", "package b // "+string(rune('0'+i)))
		write(t, root, "a.go", "package a")
	}
	seen := map[string]bool{}
	for !seen["a.go"] || !seen["b.go"] {
		b := next(t, w)
		if !slices.IsSorted(b.Paths) || len(slices.Compact(slices.Clone(b.Paths))) != len(b.Paths) {
			t.Fatalf("batch paths not sorted and unique: %v", b.Paths)
		}
		if b.First.IsZero() {
			t.Error("batch without the time of its first change")
		}
		for _, p := range b.Paths {
			seen[p] = true
		}
	}
}

func TestTempFile(t *testing.T) {
	for name, want := range map[string]bool{
		"main.go": false, "routes.yaml": false, "item.json": false,
		".main.go.swp": true, "main.go~": true, "#main.go#": true, ".#main.go": true, "4913": true,
		"main.go.swp": true, "routes.yaml.tmp-42": true, "main.go___jb_old___": true, "x.crswap": true,
	} {
		if got := TempFile(name); got != want {
			t.Errorf("TempFile(%q) = %v, want %v", name, got, want)
		}
	}
}
