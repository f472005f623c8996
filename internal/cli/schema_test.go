package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apibuilder/apibuilder/generator/generate"
)

// TestSchemaVerb: apibuilder schema prints the generator's schema, as JSON,
// and takes no argument.
func TestSchemaVerb(t *testing.T) {
	code, stdout, stderr := runArgs("schema")
	if code != 0 || stderr != "" {
		t.Fatalf("schema: exit %d\n%s", code, stderr)
	}
	if stdout != string(generate.Schema()) {
		t.Error("schema does not print generate.Schema()")
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc["$schema"] != "http://json-schema.org/draft-07/schema#" {
		t.Errorf("not a draft-07 schema (%v): %.200s", err, stdout)
	}
	if code, _, stderr := runArgs("schema", "x"); code != 2 || !strings.Contains(stderr, `unexpected argument "x"`) {
		t.Errorf("schema x: exit %d, %q; want 2", code, stderr)
	}
}

// TestInitPointsEditorsAtTheSchema: a new project's routes.yaml starts with
// the yaml-language-server line, and the file it names is the schema.
func TestInitPointsEditorsAtTheSchema(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shop")
	if code, stdout, stderr := runArgs("init", "-module", "example.com/shop", dir); code != 0 {
		t.Fatalf("init: exit %d\n%s%s", code, stdout, stderr)
	}
	routes, err := os.ReadFile(filepath.Join(dir, "routes.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(routes), "\n")
	if first != generate.SchemaModeline {
		t.Errorf("routes.yaml starts with %q, want %q", first, generate.SchemaModeline)
	}
	named := strings.TrimPrefix(first, "# yaml-language-server: $schema=")
	schema, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(named)))
	if err != nil {
		t.Fatalf("init did not write the schema routes.yaml names: %v", err)
	}
	if string(schema) != string(generate.Schema()) {
		t.Errorf("%s is not the schema", named)
	}
}
