package plansummary

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func load(t *testing.T, name string) *tfjson.Plan {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var p tfjson.Plan
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

// TestSummary reads a plan of every kind of change: a create, an update,
// a replacement (destroy first) and one created first, a delete, a moved
// route, no-ops and a data source read, and an API key whose value is
// sensitive.
func TestSummary(t *testing.T) {
	s := New(load(t, "plan.json"))
	// Terraform prints "Plan: 4 to add, 1 to change, 3 to destroy." for it.
	if s.Add != 4 || s.Change != 1 || s.Destroy != 3 {
		t.Errorf("counts %d/%d/%d, want Terraform's 4 to add, 1 to change, 3 to destroy", s.Add, s.Change, s.Destroy)
	}
	if r := s.Replacements(); len(r) != 2 || r[0].Address != "aws_dynamodb_table.items" || strings.Join(r[0].ReplacedBy, ",") != "attribute[0].name,hash_key" || r[0].CreateFirst || !r[1].CreateFirst {
		t.Errorf("replacements %+v", r)
	}
	md := s.Markdown("envs/dev")
	if strings.Contains(md, "s3cr3t") || strings.Contains(md, "123456789012") {
		t.Error("the summary shows a value; it must show addresses, actions and attribute names only")
	}
	for _, want := range []string{"| move | `module.route_fetch_item.aws_lambda_function.this` (from `module.route_get_item.aws_lambda_function.this`) |", `key\|ops`} {
		if !strings.Contains(md, want) {
			t.Errorf("summary lacks %s", want)
		}
	}
	if strings.Contains(md, "route_list_items") || strings.Contains(md, "data.aws_caller_identity") {
		t.Error("the summary lists a no-op or a data source read")
	}
	golden(t, "plan.md", md)
}

func TestNoChanges(t *testing.T) {
	s := New(load(t, "noop.json"))
	if !s.Empty() {
		t.Fatalf("%+v: want no changes", s)
	}
	golden(t, "noop.md", s.Markdown("envs/prod"))
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	step, file := filepath.Join(dir, "step"), filepath.Join(dir, "plan.md")
	if err := os.WriteFile(step, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "GITHUB_STEP_SUMMARY" {
			return step
		}
		return ""
	}
	if err := Write("### plan\n", file, getenv); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(step); string(got) != "earlier step\n### plan\n\n" {
		t.Errorf("$GITHUB_STEP_SUMMARY = %q: want the summary appended", got)
	}
	if got, _ := os.ReadFile(file); string(got) != "### plan\n" {
		t.Errorf("-summary file = %q", got)
	}
	if err := Write("x", "", func(string) string { return "" }); err != nil {
		t.Errorf("no file, no step summary: %v", err)
	}
}
