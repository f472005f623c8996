package doccheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repoRoot is the repository root: two levels up from this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root %s has no go.mod: %v", root, err)
	}
	return root
}

// TestDocs is the check itself, on this repository's docs.
func TestDocs(t *testing.T) {
	root := repoRoot(t)
	files, err := Files(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found only %v: the walk misses docs", files)
	}
	problems, err := Check(root, Verbs())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	t.Logf("checked %d docs", len(files))
}

// TestReadmeFrontDoor: the README stays a front door (at most 200 lines)
// and keeps its two commands in code blocks: CI runs the README's test
// command, `make test`.
func TestReadmeFrontDoor(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) > 200 {
		t.Errorf("README.md has %d lines; keep it at most 200 (move details to docs/)", len(lines))
	}
	fenced := map[string]bool{}
	in := false
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			in = !in
			continue
		}
		if in {
			cmd, _, _ := strings.Cut(l, "#")
			fenced[strings.TrimSpace(cmd)] = true
		}
	}
	for _, cmd := range []string{"go run ./local up", "make test"} {
		if !fenced[cmd] {
			t.Errorf("README.md has no code-block line %q (the quick start's two commands stay exactly as they are)", cmd)
		}
	}
}

// TestIndexLinksEveryDoc: docs/README.md is the map, so every page under
// docs/ is linked from it.
func TestIndexLinksEveryDoc(t *testing.T) {
	root := repoRoot(t)
	index, err := os.ReadFile(filepath.Join(root, "docs", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	linked := map[string]bool{}
	for _, m := range regexp.MustCompile(`\]\(([^)#\s]+)`).FindAllStringSubmatch(string(index), -1) {
		linked[filepath.ToSlash(filepath.Clean(filepath.Join("docs", m[1])))] = true
	}
	files, err := Files(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasPrefix(f, "docs/") && f != "docs/README.md" && !linked[f] {
			t.Errorf("docs/README.md does not link %s", f)
		}
	}
}

// TestCheckFindsStaleDocs runs Check on a small repository with one stale
// statement of each kind, and one correct statement of each kind.
func TestCheckFindsStaleDocs(t *testing.T) {
	root := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/x\n")
	write("gen/main.go", "package main\n\nfunc main() {}\n")
	write("gen/output/output.go", "package output\n")
	write("docs/guide.md", "# Guide\n\n## Two words\n\ntext\n")
	write("README.md", strings.Join([]string{
		"# X",
		"[ok](docs/guide.md#two-words) [gone](docs/old.md) [bad anchor](docs/guide.md#three)",
		"`gen/output` is right, `gen/internal/output` is stale, `github.com/x/y` is not ours",
		"```sh",
		"go run ./gen          # a main package",
		"go run ./gen/output   # not one",
		"apibuilder generate",
		"apibuilder frobnicate",
		"apibuilder drift -env dev",
		"apibuilder drift -env dev   # planned",
		"```",
		"`apibuilder rollback` (planned) and `apibuilder rollback` alone",
		"`apibuilder rollback` works",
		"",
	}, "\n"))
	verbs := map[string]Status{"generate": Implemented, "drift": Planned, "rollback": Planned}
	problems, err := Check(root, verbs)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	want := []string{
		`README.md:2: link "docs/old.md": docs/old.md does not exist`,
		`README.md:2: link "docs/guide.md#three": docs/guide.md has no heading with anchor #three`,
		"README.md:3: `gen/internal/output`: no such file or directory in the repository",
		"README.md:6: go run ./gen/output: ./gen/output is not a main package of this repository",
		"README.md:8: apibuilder frobnicate: no such command (the command table has drift, generate, rollback)",
		`README.md:9: apibuilder drift is planned, not built: say "planned" on this line, or do not document it`,
		`README.md:13: apibuilder rollback is planned, not built: say "planned" on this line, or do not document it`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Check found:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSlug(t *testing.T) {
	for heading, want := range map[string]string{
		" routes.yaml":                        "routesyaml",
		" Test your API: apibuilder test":     "test-your-api-apibuilder-test",
		" `local up` keeps serving":           "local-up-keeps-serving",
		" Deploying to AWS":                   "deploying-to-aws",
		" [Link](x.md) text":                  "link-text",
		" 1. A removed route stays live: yes": "1-a-removed-route-stays-live-yes",
	} {
		if got := Slug(heading); got != want {
			t.Errorf("Slug(%q) = %q, want %q", heading, got, want)
		}
	}
}
