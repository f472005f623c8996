package scaffold

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestName(t *testing.T) {
	for dir, want := range map[string]string{
		"shop": "shop", "/tmp/My Shop": "my-shop", "Book_Store.v2": "book-store-v2", "2fast": "fast",
		"a-very-long-project-name-that-goes-on-and-on": "a-very-long-project-name-that",
	} {
		if got, err := Name(dir); err != nil || got != want {
			t.Errorf("Name(%q) = %q, %v; want %q", dir, got, err, want)
		}
	}
	for _, dir := range []string{"123", "---", "ÜÏÖ"} {
		if _, err := Name(dir); err == nil || !strings.Contains(err.Error(), "pass -name") {
			t.Errorf("Name(%q): err = %v, want a request for -name", dir, err)
		}
	}
}

func TestInitWritesTheProject(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shop")
	files, err := Init(Options{Dir: dir, Module: "github.com/acme/shop", Version: "v1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".github/workflows/apibuilder.yml", ".gitignore", "README.md", "go.mod", "go.sum", "handlers/items/main.go", "routes.yaml", "schemas/item.json"}
	if strings.Join(files, " ") != strings.Join(want, " ") {
		t.Errorf("files = %v, want %v", files, want)
	}
	read := func(rel string) string {
		data, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	if !strings.HasPrefix(read("go.mod"), "module github.com/acme/shop\n") {
		t.Errorf("go.mod:\n%s", read("go.mod"))
	}
	if !strings.Contains(read("routes.yaml"), "  name: shop\n") {
		t.Errorf("routes.yaml does not name the API shop:\n%s", read("routes.yaml"))
	}
	if strings.Contains(read("routes.yaml")+read("README.md"), "[[") {
		t.Error("a template placeholder was left unfilled")
	}

	// The workflow: valid YAML, the triggers and jobs the README promises,
	// OIDC role assumption and never a stored key.
	wf := read(".github/workflows/apibuilder.yml")
	var doc struct {
		On   map[string]any `yaml:"on"`
		Jobs map[string]struct {
			If    string `yaml:"if"`
			Needs any    `yaml:"needs"`
			Steps []struct {
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(wf), &doc); err != nil {
		t.Fatalf("the workflow is not YAML: %v", err)
	}
	for _, trigger := range []string{"pull_request", "push", "schedule"} {
		if _, ok := doc.On[trigger]; !ok {
			t.Errorf("the workflow has no %s trigger", trigger)
		}
	}
	runs := map[string]string{}
	for name, job := range doc.Jobs {
		for _, s := range job.Steps {
			runs[name] += s.Run + "\n"
			if strings.HasPrefix(s.Uses, "aws-actions/configure-aws-credentials") && s.With["role-to-assume"] == "" {
				t.Errorf("job %s configures AWS credentials without role-to-assume", name)
			}
		}
	}
	for job, want := range map[string]string{
		"check": "apibuilder generate -check", "plan": "plan -input=false", "apply-dev": "apibuilder deploy -env dev -auto-approve",
		"apply-prod": "apibuilder deploy -env prod -auto-approve", "drift": "-detailed-exitcode",
	} {
		if !strings.Contains(runs[job], want) {
			t.Errorf("job %s does not run %q:\n%s", job, want, runs[job])
		}
	}
	if !strings.Contains(runs["check"], "apibuilder test") {
		t.Error("pull requests do not run apibuilder test")
	}
	if doc.Jobs["apply-prod"].Needs != "apply-dev" {
		t.Errorf("apply-prod needs %v, want apply-dev", doc.Jobs["apply-prod"].Needs)
	}
	if strings.Contains(wf, "aws-access-key-id") || strings.Contains(wf, "AWS_SECRET_ACCESS_KEY") {
		t.Error("the workflow uses long-lived keys")
	}
	if !strings.Contains(wf, "cmd/apibuilder@v1.2.3") {
		t.Error("the workflow does not install the apibuilder version that wrote it")
	}
}

func TestInitNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Init(Options{Dir: dir, Name: "shop"}); err == nil || !strings.Contains(err.Error(), "is not empty") {
		t.Fatalf("init into a non-empty dir: %v", err)
	}
	if _, err := Init(Options{Dir: dir, Name: "shop", Force: true}); err != nil {
		t.Fatalf("-force next to other files: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "routes.yaml"), []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "README.md")); err != nil {
		t.Fatal(err)
	}
	_, err := Init(Options{Dir: dir, Name: "shop", Force: true})
	if err == nil || !strings.Contains(err.Error(), "routes.yaml exists and was not written by apibuilder") {
		t.Fatalf("-force over an existing routes.yaml: %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "routes.yaml")); string(data) != "# mine\n" {
		t.Error("routes.yaml was overwritten")
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); !os.IsNotExist(err) {
		t.Error("a refused init wrote some files (README.md)")
	}
}

// TestTheHandlerBuilds builds the new project's handler with its own go.mod
// and go.sum, read-only: the go.sum the template carries must be complete.
func TestTheHandlerBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the scaffolded project with go (downloads its modules once); skipped with -short")
	}
	dir := t.TempDir()
	if _, err := Init(Options{Dir: dir, Name: "shop"}); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("go %s in the new project: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	cmd := exec.Command("gofmt", "-l", ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("gofmt -l: %v %s", err, out)
	}
}
