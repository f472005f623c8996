//go:build unix

package packaging

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apibuilder/apibuilder/testkit"
)

// checkout copies testdata/mod into dir as another machine's checkout
// would leave it: under umask, with every file's mtime set to mtime, and
// with CRLF line endings when crlf is set (git's core.autocrlf on Windows).
func checkout(t *testing.T, dir string, umask int, mtime time.Time, crlf bool) {
	t.Helper()
	old := syscall.Umask(umask)
	defer syscall.Umask(old)
	if err := testkit.CopyTree("testdata/mod", dir, nil); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if crlf {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := os.WriteFile(p, bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")), 0o666); err != nil {
				return err
			}
		}
		return os.Chtimes(p, mtime, mtime)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The same handler source gives byte-identical zips whatever the checkout
// directory, umask, file mtimes, line endings or Go build cache: what
// another machine (a CI runner, a Mac, a Windows checkout) would differ in.
func TestZipIdenticalAcrossCheckouts(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the fixture twice with empty Go build caches (std from scratch, 1-3 min on 2 shared cores)")
	}
	type machine struct {
		dir   string
		umask int
		mtime time.Time
		crlf  bool
	}
	machines := []machine{
		{filepath.Join(t.TempDir(), "home", "alice", "src", "api"), 0o022, time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC), false},
		{filepath.Join(t.TempDir(), "runner work", "api", "api"), 0o077, time.Now().Add(72 * time.Hour), true},
	}
	fns := []Function{{Name: "fa", SourceDir: "fa"}, {Name: "fb", SourceDir: "fb", Arch: "x86_64"}}
	var zips [][][]byte
	var keys [][]string
	for i, m := range machines {
		checkout(t, m.dir, m.umask, m.mtime, m.crlf)
		t.Setenv("GOCACHE", filepath.Join(t.TempDir(), "gocache"))
		old := syscall.Umask(m.umask)
		arts, _ := buildWith(t, m.dir, filepath.Join(m.dir, "build", "functions"), fns)
		syscall.Umask(old)
		var z [][]byte
		var k []string
		for _, a := range arts {
			data, err := os.ReadFile(a.ZipPath)
			if err != nil {
				t.Fatal(err)
			}
			z, k = append(z, data), append(k, a.Key)
		}
		zips, keys = append(zips, z), append(keys, k)
		t.Logf("checkout %d (%s, umask %03o, crlf %v): %s", i, m.dir, m.umask, m.crlf, strings.Join(k, " "))
	}
	for j, fn := range fns {
		if keys[0][j] != keys[1][j] || !bytes.Equal(zips[0][j], zips[1][j]) {
			t.Errorf("%s: zip %s in the first checkout, %s in the second", fn.Name, keys[0][j], keys[1][j])
		}
		zr, err := zip.NewReader(bytes.NewReader(zips[0][j]), int64(len(zips[0][j])))
		if err != nil {
			t.Fatal(err)
		}
		if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || zr.File[0].Mode() != 0o755 || !zr.File[0].Modified.Equal(zipTime) {
			f := zr.File[0]
			t.Errorf("%s: zip holds %d files, first %q mode %v time %v; want only bootstrap, 0755, %v", fn.Name, len(zr.File), f.Name, f.Mode(), f.Modified, zipTime)
		}
	}
	if keys[0][0] == keys[0][1] {
		t.Errorf("fa (arm64) and fb (x86_64) share the zip %s", keys[0][0])
	}
}
