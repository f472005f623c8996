package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// routesFile is the part of routes.yaml the tests derive expectations from,
// read independently of the generator so that a generator bug cannot make
// its own expectations.
type routesFile struct {
	Tables map[string]struct {
		Indexes map[string]any
	}
	Routes []struct {
		Name        string
		Method      string
		Path        string
		Handler     string
		Permissions []struct {
			Table   string
			Actions []string
		}
	}
}

func readRoutes(t *testing.T, project string) routesFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(project, "routes.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var f routesFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		t.Fatalf("routes.yaml: %v", err)
	}
	return f
}

// editRoutes replaces the one occurrence of old in the project's routes.yaml
// by new: the edit a user makes by hand. It fails if old is not there
// exactly once, so a change to the example shows up as a clear failure.
func editRoutes(t *testing.T, project, old, new string) {
	t.Helper()
	path := filepath.Join(project, "routes.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), old); n != 1 {
		t.Fatalf("routes.yaml: %q occurs %d times, want once (did the example change?)", old, n)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}
