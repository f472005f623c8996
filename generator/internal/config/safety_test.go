package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apibuilder/apibuilder/testkit"
)

// tempProject copies testdata/base into a temp dir with src as its
// routes.yaml and returns the routes file's path.
func tempProject(t *testing.T, src string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "project")
	if err := testkit.CopyTree(baseDir, dir, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "routes.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSymlinksOutOfTheProjectAreRefused: a handler directory or a schema
// reached through a symbolic link that leads outside the project is an
// error, unless allow_paths_outside_project says so.
func TestSymlinksOutOfTheProjectAreRefused(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	if err := os.MkdirAll(filepath.Join(outside, "fn"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "fn", "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	schema, _ := os.ReadFile(filepath.Join(baseDir, "schemas", "ok.json"))
	if err := os.WriteFile(filepath.Join(outside, "s.json"), schema, 0o644); err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(base, "handler: functions/ok\n    request: { schema: schemas/ok.json }", "handler: functions/linked\n    request: { schema: schemas/linked.json }", 1)
	path := tempProject(t, src)
	dir := filepath.Dir(path)
	if err := os.Symlink(filepath.Join(outside, "fn"), filepath.Join(dir, "functions", "linked")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "s.json"), filepath.Join(dir, "schemas", "linked.json")); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	for _, want := range []string{
		`routes[0].handler: "functions/linked" leads outside the project through a symbolic link, to ` + filepath.Join(outside, "fn"),
		`routes[0].request.schema: "schemas/linked.json" leads outside the project through a symbolic link, to ` + filepath.Join(outside, "s.json"),
		"or set allow_paths_outside_project: true if you mean it",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant it to contain %q", err, want)
		}
	}
	if err := os.WriteFile(path, []byte("allow_paths_outside_project: true\n"+src), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err != nil {
		t.Errorf("with allow_paths_outside_project: %v", err)
	}
}

// TestS3BackendWithLockingLoads: either way of locking is enough (the
// error without one is testdata/errors/backend-without-locking).
func TestS3BackendWithLockingLoads(t *testing.T) {
	t.Parallel()
	for _, lock := range []string{"dynamodb_table: locks", "use_lockfile: true"} {
		path := tempProject(t, base+"backend:\n  s3: { bucket: state, region: us-east-1, "+lock+" }\n")
		if _, err := Load(path); err != nil {
			t.Errorf("%s: %v", lock, err)
		}
	}
}

func TestLiteralDollarBraceInEnvironment(t *testing.T) {
	t.Parallel()
	path := tempProject(t, strings.Replace(base, "api:\n  name: items\n", "api:\n  name: items\ndefaults:\n  environment: { TEMPLATE: \"X$${table.items.name}\" }\n", 1))
	if _, err := Load(path); err != nil {
		t.Fatalf("$${ is a literal ${, not a reference: %v", err)
	}
	parts, unclosed := SplitRefs("X$${table.items.name}-${table.items.arn}")
	if unclosed || len(parts) != 2 || parts[0].Text != "X${table.items.name}-" || parts[1].Ref != "table.items.arn" {
		t.Errorf("SplitRefs = %+v, %v", parts, unclosed)
	}
}
