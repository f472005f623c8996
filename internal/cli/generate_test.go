package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/apibuilder/apibuilder/generator/generate"
	"github.com/apibuilder/apibuilder/testkit"
)

// project copies the example project (routes, handlers, schemas) into a temp dir.
func project(t *testing.T) string {
	t.Helper()
	src := filepath.Join("..", "..", "generator", "internal", "render", "testdata", "example")
	dst := t.TempDir()
	skipGolden := func(rel string, d os.DirEntry) bool { return rel == "golden" }
	if err := testkit.CopyTree(src, dst, skipGolden); err != nil {
		t.Fatal(err)
	}
	return dst
}

func gen(t *testing.T, dir string, check bool) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := Generate(context.Background(), generate.Options{Config: filepath.Join(dir, "routes.yaml"), NoBuild: true, Check: check}, &out)
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
	if !strings.Contains(out, "14 written, 0 unchanged") {
		t.Errorf("first run: %q, want 14 files written (2 envs: versions, main, variables, outputs, tfvars, openapi.json, lock file)", out)
	}
	first := snapshot(t, dir)
	out, err = gen(t, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "0 written, 14 unchanged, 0 removed") {
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
	if !errors.Is(err, generate.ErrStale) {
		t.Fatalf("-check: err = %v, want generate.ErrStale", err)
	}
	if !strings.Contains(out, "--- envs/prod/terraform.tfvars (on disk)") || !strings.Contains(out, "-    memory_mb            = 256") || !strings.Contains(out, "+    memory_mb            = 512") {
		t.Errorf("-check output lacks the diff:\n%s", out)
	}
	sameFiles(t, before, snapshot(t, dir))
}

func TestCommandLine(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Run([]string{"generate", "-h"}, nil, &out, &errOut); code != 0 || !strings.Contains(errOut.String(), "SYNOPSIS\n    apibuilder generate ") {
		t.Errorf("-h: code %d, output %q", code, errOut.String())
	}
	out.Reset()
	if code := Run([]string{"generate", "-version"}, nil, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "apibuilder ") {
		t.Errorf("-version: code %d, output %q", code, out.String())
	}
	errOut.Reset()
	if code := Run([]string{"generate", "-config", filepath.Join(t.TempDir(), "nope.yaml")}, nil, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "no such file; pass the routes file with -config") {
		t.Errorf("missing config: code %d, output %q", code, errOut.String())
	}
	dir := project(t)
	errOut.Reset()
	if code := Run([]string{"generate", "-config", filepath.Join(dir, "routes.yaml"), "-env", "staging", "-no-build"}, nil, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "-env staging: ") {
		t.Errorf("unknown env: code %d, output %q", code, errOut.String())
	}
}

// editRoutes rewrites the project's routes.yaml with edit.
func editRoutes(t *testing.T, dir string, edit func(string) string) {
	t.Helper()
	p := filepath.Join(dir, "routes.yaml")
	src, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(edit(string(src))), 0o644); err != nil {
		t.Fatal(err)
	}
}

// renameRoute renames a route of the example; its handler stays.
func renameRoute(from, to string) func(string) string {
	return func(s string) string {
		return strings.Replace(s, "  - name: "+from+"\n", "  - name: "+to+"\n", 1)
	}
}

// wantAWSName asserts that every env deploys route under "<prefix>-<suffix>".
func wantAWSName(t *testing.T, dir, route, suffix string) {
	t.Helper()
	for _, env := range []string{"dev", "prod"} {
		data, _ := os.ReadFile(filepath.Join(dir, "envs", env, "main.tf"))
		_, block, ok := strings.Cut(string(data), "module \"route_"+route+"\" {\n")
		block, _, _ = strings.Cut(block, "\n}\n")
		want := `"${local.name_prefix}-` + suffix + `"`
		if !ok || !regexp.MustCompile(`(?m)^  name +`+regexp.QuoteMeta("= "+want)+`$`).MatchString(block) {
			t.Fatalf("envs/%s/main.tf: module route_%s does not set name = %s:\n%s", env, route, want, block)
		}
	}
}

func wantMoved(t *testing.T, dir string, moves ...[2]string) {
	t.Helper()
	for _, env := range []string{"dev", "prod"} {
		data, _ := os.ReadFile(filepath.Join(dir, "envs", env, "moved.tf"))
		for _, m := range moves {
			want := "moved {\n  from = module.route_" + m[0] + "\n  to   = module.route_" + m[1] + "\n}\n"
			if !strings.Contains(string(data), want) {
				t.Errorf("envs/%s/moved.tf lacks\n%s\ngot:\n%s", env, want, data)
			}
		}
	}
}

// TestRenameKeepsAWSNames: a renamed route keeps the AWS names it was
// deployed under (so Terraform only moves its state), across later runs,
// through a chain of renames and back to its first name.
func TestRenameKeepsAWSNames(t *testing.T) {
	dir := project(t)
	if _, err := gen(t, dir, false); err != nil {
		t.Fatal(err)
	}
	wantAWSName(t, dir, "get_item", "get_item")

	editRoutes(t, dir, renameRoute("get_item", "read_item"))
	if _, err := gen(t, dir, false); err != nil {
		t.Fatal(err)
	}
	wantAWSName(t, dir, "read_item", "get_item")
	wantAWSName(t, dir, "list_items", "list_items")
	wantMoved(t, dir, [2]string{"get_item", "read_item"})

	// The previous main.tf is the record: a second run changes nothing.
	out, err := gen(t, dir, false)
	if err != nil || !strings.Contains(out, "0 written, 16 unchanged, 0 removed") {
		t.Fatalf("second run after the rename: %v %q, want nothing written", err, out)
	}

	editRoutes(t, dir, renameRoute("read_item", "fetch_item"))
	if _, err := gen(t, dir, false); err != nil {
		t.Fatal(err)
	}
	wantAWSName(t, dir, "fetch_item", "get_item")
	wantMoved(t, dir, [2]string{"get_item", "fetch_item"}, [2]string{"read_item", "fetch_item"})

	// Back to the first name: the chain ends there and the name is its own.
	editRoutes(t, dir, renameRoute("fetch_item", "get_item"))
	if _, err := gen(t, dir, false); err != nil {
		t.Fatal(err)
	}
	wantAWSName(t, dir, "get_item", "get_item")
	wantMoved(t, dir, [2]string{"fetch_item", "get_item"}, [2]string{"read_item", "get_item"})
	if data, _ := os.ReadFile(filepath.Join(dir, "envs", "dev", "moved.tf")); strings.Contains(string(data), "from = module.route_get_item") {
		t.Errorf("moved.tf moves get_item, which exists again:\n%s", data)
	}
}

// newRoute is a route of its own at PUT /items/{id}, named name.
func newRoute(name string) func(string) string {
	return func(s string) string {
		return strings.Replace(s, "\nenvironments:", "\n  - name: "+name+"\n    method: PUT\n    path: /items/{id}\n    handler: functions/get_item\n\nenvironments:", 1)
	}
}

// lineOf is the 1-based line of the first occurrence of sub in routes.yaml.
func lineOf(t *testing.T, dir, sub string) int {
	t.Helper()
	src, _ := os.ReadFile(filepath.Join(dir, "routes.yaml"))
	i := strings.Index(string(src), sub)
	if i < 0 {
		t.Fatalf("routes.yaml lacks %q", sub)
	}
	return strings.Count(string(src[:i]), "\n") + 1
}

// TestNameHeldByRenamedRouteIsAnError: a new function may not take the
// AWS name a renamed route still deploys under, nor one a removed route
// holds until its removal is applied; the run reports it and writes nothing.
func TestNameHeldByRenamedRouteIsAnError(t *testing.T) {
	dir := project(t)
	if _, err := gen(t, dir, false); err != nil {
		t.Fatal(err)
	}
	editRoutes(t, dir, renameRoute("get_item", "read_item"))
	if _, err := gen(t, dir, false); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	routes := filepath.Join(dir, "routes.yaml")

	editRoutes(t, dir, newRoute("get_item"))
	line := lineOf(t, dir, "  - name: get_item\n")
	var out, errOut bytes.Buffer
	if code := Run([]string{"generate", "-config", routes, "-no-build"}, nil, &out, &errOut); code != 1 {
		t.Fatalf("exit code %d, want 1; stderr:\n%s", code, errOut.String())
	}
	held := func(env string) string {
		return fmt.Sprintf(`%s:%d:11: routes[4].name: its function would be "items-%s-get_item", which route "read_item" still deploys under in envs/%s (it was renamed from "get_item", and a renamed route keeps its deployed AWS names so that the rename only moves Terraform state); give this route another name, or take the name back in steps: remove route "read_item", generate and apply (its function is deleted), then add both back`, routes, line, env, env)
	}
	want := held("dev") + "\n" + held("prod") + "\n2 problem(s) found; nothing was written.\n"
	if errOut.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut.String(), want)
	}
	sameFiles(t, before, snapshot(t, dir))

	// A Lambda authorizer is a function named <prefix>-<name> too.
	editRoutes(t, dir, func(s string) string {
		s = strings.Replace(s, "  - name: get_item\n    method: PUT\n    path: /items/{id}\n    handler: functions/get_item\n", "", 1)
		return strings.Replace(s, "\nroutes:", "  get_item: { type: token, handler: functions/authorizer }\n\nroutes:", 1)
	})
	line = lineOf(t, dir, "  get_item: { type: token")
	_, err := gen(t, dir, false)
	if want := fmt.Sprintf(`%s:%d:3: authorizers.get_item: its function would be "items-dev-get_item", which route "read_item" still deploys under in envs/dev`, routes, line); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error:\n%v\nwant it to start with:\n%s", err, want)
	}
	sameFiles(t, before, snapshot(t, dir))
	editRoutes(t, dir, func(s string) string {
		return strings.Replace(s, "  get_item: { type: token, handler: functions/authorizer }\n", "", 1)
	})
	editRoutes(t, dir, newRoute("get_item"))

	// Removing the holder in the same run does not free the name yet: its
	// function is deleted only when that is applied.
	editRoutes(t, dir, func(s string) string {
		i := strings.Index(s, "  - name: read_item\n")
		j := strings.Index(s, "  - name: list_items\n")
		return s[:i] + s[j:]
	})
	line = lineOf(t, dir, "  - name: get_item\n")
	_, err = gen(t, dir, false)
	removed := func(env string) string {
		return fmt.Sprintf(`%s:%d:11: routes[3].name: its function would be "items-%s-get_item", which route "read_item" still deploys under in envs/%s (it was removed from routes.yaml, but its function stays deployed until that removal is applied); give this route another name, or add it in a later run: generate and apply without it first, so that "items-%s-get_item" is deleted`, routes, line, env, env, env)
	}
	if err == nil || err.Error() != removed("dev")+"\n"+removed("prod") {
		t.Errorf("error:\n%v\nwant:\n%s\n%s", err, removed("dev"), removed("prod"))
	}
	sameFiles(t, before, snapshot(t, dir))
}

// TestRenameOntoARenamedRoutesOldName: once get_item is renamed, another
// route may be renamed to get_item; each keeps its own AWS names, and no
// moved block starts at an address that exists again.
func TestRenameOntoARenamedRoutesOldName(t *testing.T) {
	dir := project(t)
	if _, err := gen(t, dir, false); err != nil {
		t.Fatal(err)
	}
	editRoutes(t, dir, renameRoute("get_item", "read_item"))
	if _, err := gen(t, dir, false); err != nil {
		t.Fatal(err)
	}
	editRoutes(t, dir, renameRoute("list_items", "get_item"))
	if _, err := gen(t, dir, false); err != nil {
		t.Fatal(err)
	}
	wantAWSName(t, dir, "read_item", "get_item")
	wantAWSName(t, dir, "get_item", "list_items")
	wantMoved(t, dir, [2]string{"list_items", "get_item"})
	if data, _ := os.ReadFile(filepath.Join(dir, "envs", "dev", "moved.tf")); strings.Contains(string(data), "from = module.route_get_item") {
		t.Errorf("moved.tf moves get_item, which exists again:\n%s", data)
	}
}
