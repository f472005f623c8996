package scaffold

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
	want := []string{".github/dependabot.yml", ".github/workflows/apibuilder.yml", ".gitignore", "README.md", "go.mod", "go.sum", "handlers/items/main.go", "routes.yaml", "schemas/item.json"}
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

	if !strings.Contains(read("go.mod"), "\ntoolchain "+GoToolchain+"\n") {
		t.Errorf("go.mod has no toolchain line:\n%s", read("go.mod"))
	}

	// The pipeline files are CIFiles' own, marked as apibuilder's.
	ci, err := CIFiles(CIOptions{Version: "v1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	for rel, want := range ci {
		if got := read(rel); got != string(want) {
			t.Errorf("init wrote a %s that differs from CIFiles'", rel)
		}
		if !IsGenerated(want) {
			t.Errorf("%s does not start with the marker", rel)
		}
	}
	if !strings.Contains(read(WorkflowPath), "\n  APIBUILDER_VERSION: v1.2.3\n") {
		t.Error("the workflow does not install the apibuilder version that wrote it")
	}
	if !strings.Contains(read("README.md"), "go run github.com/apibuilder/apibuilder/cmd/apibuilder@vX.Y.Z ci") {
		t.Error("the README does not give the one upgrade command")
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
