package generate_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apibuilder/apibuilder/generator/generate"
)

// write lays files (slash path -> content) into a new project directory.
func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "project")
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// diagnostics runs generate on dir and returns its diagnostics, one per
// line with the file as routes.yaml, and checks that nothing was written.
func diagnostics(t *testing.T, dir string, opt generate.Options) []string {
	t.Helper()
	opt.Config = filepath.Join(dir, "routes.yaml")
	_, err := generate.Run(context.Background(), opt)
	var de *generate.Diagnostics
	if !errors.As(err, &de) {
		t.Fatalf("want positioned diagnostics, got %v", err)
	}
	var out []string
	for _, d := range de.Items {
		d.File = filepath.Base(d.File)
		out = append(out, d.Error())
	}
	for _, gen := range []string{"envs", ".apibuilder"} {
		if _, err := os.Stat(filepath.Join(dir, gen)); err == nil {
			t.Errorf("%s/ was written, with errors in routes.yaml", gen)
		}
	}
	return out
}

// TestHandlerThatDoesNotCompile: a handler go build refuses is reported at
// the handler line of every route and authorizer that uses it, with the
// compiler's first errors, and nothing is written.
func TestHandlerThatDoesNotCompile(t *testing.T) {
	t.Parallel()
	dir := write(t, map[string]string{
		"go.mod":                   "module example.com/p\n\ngo 1.22\n",
		"functions/ok/main.go":     "package main\n\nfunc main() {}\n",
		"functions/broken/main.go": "package main\n\nfunc main() {\n\tx := 1\n\tundefined()\n}\n",
		"functions/authz/main.go":  "package main\n\nfunc main() { return 1 }\n",
		"routes.yaml": `api: { name: items }
authorizers:
  tenant: { type: token, handler: functions/authz }
routes:
  - name: get_item
    method: GET
    path: /items/{id}
    handler: functions/broken
  - name: list_items
    method: GET
    path: /items
    handler: functions/ok
    auth: tenant
  - name: put_item
    method: PUT
    path: /items/{id}
    handler: functions/broken
`,
	})
	got := diagnostics(t, dir, generate.Options{})
	want := []string{
		`routes.yaml:3:35: authorizers.tenant.handler: "functions/authz" does not compile: functions/authz/main.go:3:22: too many return values`,
		`routes.yaml:8:14: routes[0].handler: "functions/broken" does not compile: functions/broken/main.go:4:2: declared and not used: x; functions/broken/main.go:5:2: undefined: undefined`,
		`routes.yaml:17:14: routes[2].handler: "functions/broken" does not compile: functions/broken/main.go:4:2: declared and not used: x; functions/broken/main.go:5:2: undefined: undefined`,
	}
	if len(got) != len(want) {
		t.Fatalf("got %d diagnostics, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) || !strings.Contains(got[i], "go build ./") {
			t.Errorf("diagnostic %d:\n got  %s\n want %s...; fix the handler (go build ./...)", i, got[i], want[i])
		}
	}
}

// TestAWSRulesRunInGenerate: the rules of package awsrules are part of
// every generate run (they register with config, which generate loads).
func TestAWSRulesRunInGenerate(t *testing.T) {
	t.Parallel()
	dir := write(t, map[string]string{
		"functions/ok/main.go": "package main\n\nfunc main() {}\n",
		"routes.yaml": `api: { name: items }
defaults:
  environment: { LAMBDA_TASK_ROOT: /var/task }
routes:
  - { name: get_item, method: GET, path: "/items/{id}", handler: functions/ok }
---
api: { name: other }
`,
	})
	got := strings.Join(diagnostics(t, dir, generate.Options{NoBuild: true}), "\n")
	for _, want := range []string{
		"routes.yaml:3:36: defaults.environment.LAMBDA_TASK_ROOT: is reserved: Lambda sets it",
		"routes.yaml:6:1: starts a second YAML document",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("generate reported:\n%s\nwant a line with %q", got, want)
		}
	}
}
