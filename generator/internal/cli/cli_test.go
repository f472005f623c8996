package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apibuilder/apibuilder/internal/fsutil"
)

// project copies the example project (routes, handlers, schemas) into a temp dir.
func project(t *testing.T) string {
	t.Helper()
	src := filepath.Join("..", "render", "testdata", "example")
	dst := t.TempDir()
	skipGolden := func(rel string, d os.DirEntry) bool { return rel == "golden" }
	if err := fsutil.CopyTree(src, dst, skipGolden); err != nil {
		t.Fatal(err)
	}
	return dst
}

func gen(t *testing.T, dir string, check bool) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := Generate(context.Background(), Options{Config: filepath.Join(dir, "routes.yaml"), NoBuild: true, Check: check, Out: &out})
	return out.String(), err
}

// snapshot maps every file under dir/envs to its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	_ = filepath.WalkDir(filepath.Join(dir, "envs"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			files[filepath.ToSlash(rel)] = string(data)
		}
		return nil
	})
	return files
}

func sameFiles(t *testing.T, a, b map[string]string) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("file sets differ: %d vs %d files", len(a), len(b))
	}
	for k, v := range a {
		if b[k] != v {
			t.Errorf("%s changed", k)
		}
	}
}

func TestGenerateIsIdempotent(t *testing.T) {
	dir := project(t)
	out, err := gen(t, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "10 written, 0 unchanged") {
		t.Errorf("first run: %q, want 10 files written", out)
	}
	first := snapshot(t, dir)
	out, err = gen(t, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "0 written, 10 unchanged, 0 removed") {
		t.Errorf("second run: %q, want nothing written", out)
	}
	sameFiles(t, first, snapshot(t, dir))
	if out, err := gen(t, dir, true); err != nil || !strings.Contains(out, "up to date") {
		t.Errorf("-check after generating: %v %q", err, out)
	}
}

func TestInvalidInputWritesNothing(t *testing.T) {
	dir := project(t)
	if _, err := gen(t, dir, false); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	routes := filepath.Join(dir, "routes.yaml")
	src, _ := os.ReadFile(routes)
	bad := strings.Replace(string(src), "memory_mb: 256", "memory_mb: 99999", 1)
	bad = strings.Replace(bad, "path: /items/{id}\n    handler: functions/get_item", "path: /items/{itemId}\n    handler: functions/get_item", 1)
	if err := os.WriteFile(routes, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := gen(t, dir, false)
	if err == nil {
		t.Fatal("invalid routes.yaml accepted")
	}
	msg := err.Error()
	for _, want := range []string{"environments.prod.memory_mb: 99999 MB is out of Lambda's range", "parameter {id} conflicts with {itemId}"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	sameFiles(t, before, snapshot(t, dir))
}

func TestUserFilesAreNeverTouched(t *testing.T) {
	dir := project(t)
	if _, err := gen(t, dir, false); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "envs", "dev", "backend_override.tf")
	if err := os.WriteFile(mine, []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := gen(t, dir, false); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(mine); string(data) != "# mine\n" {
		t.Fatalf("user file changed: %q", data)
	}

	// A user file where a generated file belongs is an error, not an overwrite.
	main := filepath.Join(dir, "envs", "prod", "main.tf")
	if err := os.WriteFile(main, []byte("# my own main.tf\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	_, err := gen(t, dir, false)
	if err == nil || !strings.Contains(err.Error(), "envs/prod/main.tf exists and was not written by apibuilder") {
		t.Fatalf("want a refusal to overwrite, got %v", err)
	}
	sameFiles(t, before, snapshot(t, dir))
}

func TestRenameEmitsMovedBlock(t *testing.T) {
	dir := project(t)
	if _, err := gen(t, dir, false); err != nil {
		t.Fatal(err)
	}
	routes := filepath.Join(dir, "routes.yaml")
	src, _ := os.ReadFile(routes)
	renamed := strings.ReplaceAll(string(src), "get_item", "read_item")
	renamed = strings.Replace(renamed, "handler: functions/read_item", "handler: functions/get_item", 1)
	if err := os.WriteFile(routes, []byte(renamed), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := gen(t, dir, false); err != nil {
		t.Fatal(err)
	}
	want := "moved {\n  from = module.route_get_item\n  to   = module.route_read_item\n}\n"
	for _, env := range []string{"dev", "prod"} {
		data, err := os.ReadFile(filepath.Join(dir, "envs", env, "moved.tf"))
		if err != nil || !strings.Contains(string(data), want) {
			t.Fatalf("envs/%s/moved.tf = %q (%v), want it to contain\n%s", env, data, err, want)
		}
	}
	// The move survives a second run (state may not have been applied yet).
	if _, err := gen(t, dir, false); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "envs", "dev", "moved.tf")); !strings.Contains(string(data), want) {
		t.Fatalf("moved block lost on the second run: %q", data)
	}
}

func TestCheckReportsStaleFilesWithADiff(t *testing.T) {
	dir := project(t)
	if _, err := gen(t, dir, false); err != nil {
		t.Fatal(err)
	}
	routes := filepath.Join(dir, "routes.yaml")
	src, _ := os.ReadFile(routes)
	if err := os.WriteFile(routes, []byte(strings.Replace(string(src), "memory_mb: 256", "memory_mb: 512", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	out, err := gen(t, dir, true)
	if !errors.Is(err, ErrStale) {
		t.Fatalf("-check: err = %v, want ErrStale", err)
	}
	if !strings.Contains(out, "--- envs/prod/terraform.tfvars (on disk)") || !strings.Contains(out, "-    memory_mb            = 256") || !strings.Contains(out, "+    memory_mb            = 512") {
		t.Errorf("-check output lacks the diff:\n%s", out)
	}
	sameFiles(t, before, snapshot(t, dir))
}

func TestCommandLine(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Run([]string{"-h"}, &out, &errOut); code != 0 || !strings.Contains(errOut.String(), "SYNOPSIS") {
		t.Errorf("-h: code %d, output %q", code, errOut.String())
	}
	out.Reset()
	if code := Run([]string{"-version"}, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "apibuilder generator ") {
		t.Errorf("-version: code %d, output %q", code, out.String())
	}
	errOut.Reset()
	if code := Run([]string{"-config", filepath.Join(t.TempDir(), "nope.yaml")}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "no such file; pass the routes file with -config") {
		t.Errorf("missing config: code %d, output %q", code, errOut.String())
	}
	dir := project(t)
	errOut.Reset()
	if code := Run([]string{"-config", filepath.Join(dir, "routes.yaml"), "-env", "staging", "-no-build"}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "-env staging: ") {
		t.Errorf("unknown env: code %d, output %q", code, errOut.String())
	}
}
